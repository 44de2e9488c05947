"""Every sandbox scenario end to end: submit -> worker -> real simulator over HTTP -> settle.

Each story ends with the ledger it must (delivered: the wallet paid and the float got the face
amount; failed: the wallet whole again), a receipt in the outbox, exactly one `/pay` on the
wire, and `reconcile` clean. Pending purchases are settled the two ways VTPass settles them:
a requery after the backoff, or a webhook (which itself only triggers a requery).
"""

from __future__ import annotations

import pytest

from gateway.domain.purchase_status import PurchaseStatus
from tests.worker.harness import SUCCESS_METER, Harness, N, electricity, eventually

DELIVERED = {PurchaseStatus.DELIVERED}
FAILED = {PurchaseStatus.FAILED}
START = 10_000


async def buy(harness: Harness, meter: str, key: str = "k1"):
    user_id = await harness.fund(START)
    return await harness.submit(user_id, electricity(meter), key)


async def assert_delivered(harness: Harness, purchase_id: int, float_before: int = 0) -> None:
    done = await harness.wait_status(purchase_id, DELIVERED)
    assert done.token is not None
    assert len(done.token) == 20
    assert await harness.wallet() == START * N - done.total
    assert await harness.vtpass_float() - float_before == done.face_amount
    await _assert_receipt(harness, done.id, done.token[-4:])
    assert sum(harness.transport.pays.values()) == 1
    await harness.reconciled()


async def assert_refunded(harness: Harness, purchase_id: int) -> None:
    done = await harness.wait_status(purchase_id, FAILED)
    assert await harness.wallet() == START * N
    assert await harness.vtpass_float() == 0
    await _assert_receipt(harness, done.id, "refunded")
    assert sum(harness.transport.pays.values()) == 1
    await harness.reconciled()


async def _assert_receipt(harness: Harness, purchase_id: int, needle: str) -> None:
    async def sent():
        messages = await harness.outbox(purchase_id)
        return [m for m in messages if m.status == "sent"]

    messages = await eventually(sent, what="the receipt to be sent")
    assert len(messages) == 1
    assert needle in messages[0].body.replace("-", "")


async def test_delivered_keeps_the_token_in_the_purchase_and_the_receipt(harness, worker):
    purchase = await buy(harness, SUCCESS_METER)
    await assert_delivered(harness, purchase.id)
    done = await harness.service.get(purchase.id)
    assert done.units is not None


async def test_failed_is_refunded_at_once(harness, worker):
    purchase = await buy(harness, "1234567890123")
    await assert_refunded(harness, purchase.id)


@pytest.mark.parametrize(
    "meter",
    [
        pytest.param("201000000000", id="pending"),
        pytest.param("500000000000", id="unexpected-body"),
        pytest.param("400000000000", id="no-response"),
        pytest.param("300000000000", id="timeout"),
    ],
)
async def test_unknown_outcomes_wait_then_a_requery_delivers(harness, worker, meter):
    purchase = await buy(harness, meter)
    pending = await harness.wait_pending(purchase.id)  # never refunded on a timeout
    assert await harness.wallet() == START * N - pending.total
    assert await harness.outbox(purchase.id) == []

    await harness.sim("resolve", {"request_id": purchase.request_id, "status": "delivered"})
    await harness.make_due()

    await assert_delivered(harness, purchase.id)


async def test_pending_then_failed_is_refunded_once(harness, worker):
    purchase = await buy(harness, "201000000000")
    await harness.wait_pending(purchase.id)

    await harness.sim("resolve", {"request_id": purchase.request_id, "status": "failed"})
    await harness.make_due()

    await assert_refunded(harness, purchase.id)
    await harness.make_due(3600)  # later sweeps change nothing
    await harness.reconciled()
    assert await harness.wallet() == START * N


async def test_pending_then_delivered_by_webhook_without_waiting_for_the_backoff(harness, worker):
    await harness.callbacks_on()
    purchase = await buy(harness, "201000000000")
    await harness.wait_pending(purchase.id)

    await harness.sim("resolve", {"request_id": purchase.request_id, "status": "delivered"})
    await harness.settle_webhooks()

    await assert_delivered(harness, purchase.id)


async def test_http_500_over_a_delivered_purchase_is_pending_until_requery_delivers(
    harness, worker
):
    await harness.sim("next-pay", {"code": "083", "http_status": 500, "store_as": "delivered"})
    purchase = await buy(harness, SUCCESS_METER)
    pending = await harness.wait_pending(purchase.id)
    assert pending.vtpass_code == "083"

    await harness.make_due()

    await assert_delivered(harness, purchase.id)
