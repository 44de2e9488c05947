"""`POST /webhooks/paystack`: signed, de-duplicated, and never a credit on its own word."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from sqlalchemy import func, select

from gateway.keys import db_key, settings_key
from gateway.paystack.crediting import Crediting, _Credit
from gateway.paystack.keys import paystack_client_key, paystack_webhooks_key
from gateway.store.tables import PaystackEvent
from tests.paystack.conftest import KEY, OTHER_KEY, N


async def paid(funding, naira: int = 5_000):
    auth = await funding.user()
    started = await funding.start(auth, naira)
    await funding.pay(started["reference"])
    await funding.settle()
    delivery = funding.sim.state.webhooks.deliveries[-1]
    return auth, started["reference"], delivery


async def events(funding) -> int:
    async with funding.db() as session:
        return int(await session.scalar(select(func.count(PaystackEvent.id))) or 0)


async def test_the_same_webhook_five_times_in_turn_and_five_concurrently_credits_once(funding):
    auth, _, delivery = await paid(funding)

    await funding.sim_post(f"webhooks/{delivery.id}/redeliver", {"times": 5})
    await funding.sim_post(f"webhooks/{delivery.id}/redeliver", {"times": 5, "concurrent": True})
    await funding.settle()

    assert all(a.status == 200 for a in delivery.attempts)
    assert len(delivery.attempts) == 11
    assert await funding.credits() == 1
    assert await funding.balance(auth) == 5_000 * N
    await funding.reconciled()


async def test_a_forged_signature_is_401_and_changes_nothing(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    forged = {
        "event": "charge.success",
        "data": {
            "id": 1,
            "reference": started["reference"],
            "status": "success",
            "amount": 5_000 * N,
            "currency": "NGN",
            "domain": "test",
        },
    }

    response = await funding.post_event(forged, key=OTHER_KEY)

    assert response.status_code == 401
    assert await events(funding) == 0
    assert await funding.status_of(started["reference"]) == "open"


async def test_a_missing_signature_is_401(funding):
    response = await funding.client.post("/webhooks/paystack", data=b'{"event":"charge.success"}')

    assert response.status == 401


async def test_a_body_changed_after_signing_is_401(funding):
    _, _, delivery = await paid(funding)
    tampered = delivery.body.replace(b'"amount":500000', b'"amount":900000')

    response = await funding.client.post(
        "/webhooks/paystack", data=tampered, headers={"x-paystack-signature": delivery.signature}
    )

    assert response.status == 401


async def test_a_replayed_old_event_is_acknowledged_and_credits_nothing_more(funding):
    _, _, delivery = await paid(funding)
    funding.clock.advance(3 * 86_400)

    response = await funding.client.post(
        "/webhooks/paystack",
        data=delivery.body,
        headers={"x-paystack-signature": delivery.signature},
    )

    assert response.status == 200
    assert (await response.json())["duplicate"] is True
    assert await funding.credits() == 1
    await funding.reconciled()


async def test_a_signed_claim_of_success_is_verified_and_refused_when_unpaid(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    claim = {
        "event": "charge.success",
        "data": {
            "id": 77,
            "reference": started["reference"],
            "status": "success",
            "amount": 5_000 * N,
            "currency": "NGN",
            "domain": "test",
        },
    }

    assert (await funding.post_event(claim)).status_code == 200
    await funding.settle()

    assert await funding.status_of(started["reference"]) == "open"
    assert await funding.credits() == 0


async def test_a_webhook_for_an_unknown_reference_credits_nothing(funding):
    claim = {
        "event": "charge.success",
        "data": {
            "id": 78,
            "reference": "PLF-NOTOURS00000",
            "status": "success",
            "amount": 5_000 * N,
            "currency": "NGN",
            "domain": "test",
            "channel": "card",
        },
    }

    assert (await funding.post_event(claim)).status_code == 200
    await funding.settle()

    async with funding.db() as session:
        outcome = await session.scalar(select(PaystackEvent.outcome))
    assert outcome == "unknown_reference"
    assert await funding.credits() == 0
    await funding.reconciled()


async def test_a_credited_event_has_its_outcome_written_with_the_credit(funding):
    await paid(funding)

    async with funding.db() as session:
        row = (await session.execute(select(PaystackEvent))).scalar_one()
    assert row.outcome == "credited"
    assert row.processed_at is not None
    processor = funding.client.app[paystack_webhooks_key]
    assert processor._done.batches == 0  # no outcome transaction of its own
    await funding.reconciled()


async def test_an_amount_mismatch_is_held_for_review_not_credited(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)

    await funding.pay(started["reference"], amount_override=100 * N)
    await funding.settle()

    assert await funding.status_of(started["reference"]) == "review"
    assert await funding.credits() == 0
    report = await funding.reconciled()
    assert "amount mismatch" in report.render()


async def test_a_lost_webhook_is_made_good_by_the_sweep(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    await funding.sim_post("webhooks", {"mode": "drop"})
    await funding.pay(started["reference"])

    assert (await funding.sweep()).verified == 0  # not due yet
    funding.clock.advance(121)
    assert (await funding.sweep()).verified == 1

    assert await funding.balance(auth) == 5_000 * N
    await funding.reconciled()


class KilledMidCredit(Crediting):
    """A worker that dies after writing the credit, before its transaction commits."""

    async def _post_credits(self, session, fundings, paid, now) -> None:
        await super()._post_credits(session, fundings, paid, now)
        raise RuntimeError("killed")


async def test_a_worker_killed_mid_credit_leaves_nothing_and_the_sweep_credits_once(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    await funding.sim_post("webhooks", {"mode": "drop"})
    await funding.pay(started["reference"])
    app = funding.client.app
    dying = KilledMidCredit(
        app[db_key], app[paystack_client_key], funding.clock, app[settings_key].funding
    )
    with pytest.raises(RuntimeError, match="killed"):
        await dying.settle(started["reference"])
    assert await funding.credits() == 0
    assert await funding.status_of(started["reference"]) == "open"

    funding.clock.advance(121)
    await funding.sweep()
    await funding.sweep()

    assert await funding.credits() == 1
    assert await funding.balance(auth) == 5_000 * N
    await funding.reconciled()


async def test_the_webhook_and_the_sweep_racing_credit_once(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    funding.clock.advance(121)

    await funding.pay(started["reference"])
    await asyncio.gather(funding.sweep(), funding.settle(), funding.sweep())

    assert await funding.credits() == 1
    await funding.reconciled()


async def test_a_full_refund_takes_the_credit_back(funding):
    auth, reference, _ = await paid(funding)

    await funding.sim_post("refunds", {"reference": reference})
    await funding.settle()

    assert await funding.status_of(reference) == "reversed"
    assert await funding.balance(auth) == 0
    await funding.reconciled()


@pytest.mark.parametrize("funding_env", [{"PAYLINK_PAYSTACK_WEBHOOK_LIMIT": "2"}])
async def test_the_webhook_route_is_rate_limited(funding):
    statuses = [
        (await funding.client.post("/webhooks/paystack", data=b"{}")).status for _ in range(3)
    ]

    assert statuses == [401, 401, 429]


async def test_the_secret_key_is_never_logged(funding, caplog):
    caplog.set_level(logging.DEBUG)
    await paid(funding)
    await funding.post_event({"event": "charge.success", "data": {}}, key=OTHER_KEY)

    assert KEY not in caplog.text
    assert KEY not in json.dumps([r.getMessage() for r in caplog.records])


async def test_a_verify_that_failed_twice_is_retried_and_credits_once(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    await funding.sim_post("faults", {"path": "/transaction/verify", "status": 503, "count": 2})

    await funding.pay(started["reference"])
    await funding.settle()

    assert await funding.credits() == 1
    assert await funding.balance(auth) == 5_000 * N


async def test_one_funding_twice_in_a_credit_batch_is_credited_once(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    await funding.sim_post("webhooks", {"mode": "drop"})
    await funding.pay(started["reference"])
    app = funding.client.app
    crediting = Crediting(
        app[db_key], app[paystack_client_key], funding.clock, app[settings_key].funding
    )
    open_funding = await crediting._reload(started["reference"])
    found = await app[paystack_client_key].verify(started["reference"])

    first, second = await crediting._credit_batch(
        [_Credit(open_funding, found), _Credit(open_funding, found)]
    )

    assert first is not None
    assert first.status == "credited"
    assert second is None
    assert await funding.credits() == 1
    assert await funding.balance(auth) == 5_000 * N
    await funding.reconciled()
