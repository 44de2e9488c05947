"""vend and settle: each VTPass outcome ends with the right ledger, and money moves once."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import OutcomeUnknown
from gateway.store import ledger, outbox
from gateway.vtpass.models import Outcome, PayResult
from tests.purchases.conftest import (
    PHONE,
    N,
    airtime,
    assert_reconciled,
    electricity,
    funded_user,
    vend,
)
from tests.purchases.fakes import FakeVTPass


async def _balances(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessionmaker() as session:
        system = await ledger.load_system_accounts(session)
        return {
            name: await ledger.balance(session, getattr(system, name).id)
            for name in ("clearing", "vtpass_float", "fee_revenue", "funding")
        }


async def _receipts(sessionmaker: async_sessionmaker[AsyncSession], purchase_id: int) -> list[str]:
    async with sessionmaker() as session:
        return [m.body for m in await outbox.for_purchase(session, purchase_id)]


async def test_delivered_moves_clearing_to_float_and_fee_revenue(service, sessionmaker):
    user_id = await funded_user(service, 10_000)
    purchase = (await service.submit(user_id, electricity(5_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(Outcome.DELIVERED, token="26362054405982757802", units="79.9 kWh")

    done = await vend(service, purchase.id, vtpass)

    assert done.status is PurchaseStatus.DELIVERED
    assert done.token == "26362054405982757802"
    assert vtpass.paid(purchase.request_id) == 1
    assert await service.wallet_balance(PHONE) == (10_000 - 5_100) * N
    assert await _balances(sessionmaker) == {
        "clearing": 0,
        "vtpass_float": 5_000 * N,
        "fee_revenue": 100 * N,
        "funding": -10_000 * N,
    }
    [receipt] = await _receipts(sessionmaker, purchase.id)
    assert receipt == (
        f"PayLink: Ikeja Electric for meter 1111111111111 successful. Paid N5,100 (N5,000 +"
        f" N100 fee). Token: 2636-2054-4059-8275-7802. Units: 79.9 kWh. Ref {purchase.reference}"
    )
    assert len(receipt) <= 160
    await assert_reconciled(sessionmaker)


async def test_pending_then_delivered_settles_once_on_requery(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(pay=Outcome.PENDING, requery=Outcome.DELIVERED)

    pending = await vend(service, purchase.id, vtpass)
    assert pending.status is PurchaseStatus.PENDING
    assert await _balances(sessionmaker) == {
        "clearing": 1_000 * N,
        "vtpass_float": 0,
        "fee_revenue": 0,
        "funding": -5_000 * N,
    }
    await assert_reconciled(sessionmaker)

    done = await service.requery(purchase.id, vtpass)

    assert done.status is PurchaseStatus.DELIVERED
    assert vtpass.paid(purchase.request_id) == 1
    assert vtpass.requery_calls == [purchase.request_id]
    assert (await _balances(sessionmaker))["vtpass_float"] == 1_000 * N
    assert await service.wallet_balance(PHONE) == 4_000 * N
    assert len(await _receipts(sessionmaker, purchase.id)) == 1
    await assert_reconciled(sessionmaker)


async def test_pending_then_failed_refunds_the_wallet(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(pay=Outcome.PENDING, requery=Outcome.FAILED)
    await vend(service, purchase.id, vtpass)

    done = await service.requery(purchase.id, vtpass)

    assert done.status is PurchaseStatus.FAILED
    assert await service.wallet_balance(PHONE) == 5_000 * N
    assert (await _balances(sessionmaker))["clearing"] == 0
    [receipt] = await _receipts(sessionmaker, purchase.id)
    assert receipt == (
        "PayLink: MTN Airtime for 08031234567 failed: the provider declined; check the number."
        f" N1,000 refunded to your wallet. Ref {purchase.reference}"
    )
    await assert_reconciled(sessionmaker)


async def test_failed_refunds_the_wallet(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase

    done = await vend(service, purchase.id, FakeVTPass(Outcome.FAILED))

    assert done.status is PurchaseStatus.FAILED
    assert done.failure_reason == "fake says failed"
    assert await service.wallet_balance(PHONE) == 5_000 * N
    await assert_reconciled(sessionmaker)


async def test_rejected_refunds_the_wallet(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, electricity(1_000), idempotency_key="k")).purchase

    done = await vend(service, purchase.id, FakeVTPass(Outcome.REJECTED))

    assert done.status is PurchaseStatus.FAILED
    assert await service.wallet_balance(PHONE) == 5_000 * N  # the fee is refunded too
    assert (await _balances(sessionmaker))["fee_revenue"] == 0
    await assert_reconciled(sessionmaker)


async def test_a_vtpass_duplicate_refusal_tells_the_customer_why(service, sessionmaker):
    # VTPass's 30-second duplicate guard (019): "failed, refunded" alone sent people retrying
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    duplicate = PayResult(
        Outcome.REJECTED,
        purchase.request_id,
        code="019",
        description="LIKELY DUPLICATE TRANSACTION",
        reason="VTPass suspects a duplicate: same product and number within 30 seconds",
    )

    done = await service.settle(purchase.id, duplicate)

    assert done.status is PurchaseStatus.FAILED
    [receipt] = await _receipts(sessionmaker, purchase.id)
    assert receipt == (
        "PayLink: MTN Airtime for 08031234567 failed: same purchase was made under 30s ago."
        f" N1,000 refunded to your wallet. Ref {purchase.reference}"
    )
    await assert_reconciled(sessionmaker)


async def test_a_reversal_after_delivery_refunds_once(service, sessionmaker):
    user_id = await funded_user(service, 10_000)
    purchase = (await service.submit(user_id, electricity(2_000), idempotency_key="k")).purchase
    await vend(service, purchase.id, FakeVTPass(Outcome.DELIVERED, token="1234"))

    reversed_ = await service.settle(purchase.id, PayResult(Outcome.REVERSED, purchase.request_id))

    assert reversed_.status is PurchaseStatus.REVERSED
    assert await service.wallet_balance(PHONE) == 10_000 * N
    assert await _balances(sessionmaker) == {
        "clearing": 0,
        "vtpass_float": 0,
        "fee_revenue": 0,
        "funding": -10_000 * N,
    }
    receipts = await _receipts(sessionmaker, purchase.id)
    assert len(receipts) == 2
    assert "reversed" in receipts[1]
    assert "N2,100 refunded" in receipts[1]
    await assert_reconciled(sessionmaker)


async def test_a_second_reversal_does_nothing(service, sessionmaker):
    user_id = await funded_user(service, 10_000)
    purchase = (await service.submit(user_id, airtime(2_000), idempotency_key="k")).purchase
    await vend(service, purchase.id, FakeVTPass(Outcome.DELIVERED))
    reversal = PayResult(Outcome.REVERSED, purchase.request_id)
    await service.settle(purchase.id, reversal)

    again = await service.settle(purchase.id, reversal)

    assert again.status is PurchaseStatus.REVERSED
    assert await service.wallet_balance(PHONE) == 10_000 * N
    assert len(await _receipts(sessionmaker, purchase.id)) == 2
    await assert_reconciled(sessionmaker)


async def test_a_reversal_of_a_pending_purchase_refunds_from_clearing(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    await vend(service, purchase.id, FakeVTPass(Outcome.PENDING))

    done = await service.settle(purchase.id, PayResult(Outcome.REVERSED, purchase.request_id))

    assert done.status is PurchaseStatus.FAILED
    assert await service.wallet_balance(PHONE) == 5_000 * N
    await assert_reconciled(sessionmaker)


async def test_two_concurrent_settles_post_one_settlement(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    await vend(service, purchase.id, FakeVTPass(Outcome.PENDING))

    results = await asyncio.gather(
        service.settle(purchase.id, PayResult(Outcome.DELIVERED, purchase.request_id)),
        service.settle(purchase.id, PayResult(Outcome.DELIVERED, purchase.request_id)),
    )

    assert {r.status for r in results} == {PurchaseStatus.DELIVERED}
    assert (await _balances(sessionmaker))["vtpass_float"] == 1_000 * N
    assert len(await _receipts(sessionmaker, purchase.id)) == 1
    await assert_reconciled(sessionmaker)


async def test_conflicting_concurrent_settles_apply_exactly_one(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    await vend(service, purchase.id, FakeVTPass(Outcome.PENDING))

    await asyncio.gather(
        service.settle(purchase.id, PayResult(Outcome.DELIVERED, purchase.request_id)),
        service.settle(purchase.id, PayResult(Outcome.FAILED, purchase.request_id)),
    )

    final = await service.get(purchase.id)
    assert final.status in {PurchaseStatus.DELIVERED, PurchaseStatus.FAILED}
    expected_wallet = 4_000 * N if final.status is PurchaseStatus.DELIVERED else 5_000 * N
    assert await service.wallet_balance(PHONE) == expected_wallet
    assert len(await _receipts(sessionmaker, purchase.id)) == 1
    await assert_reconciled(sessionmaker)


async def test_settlement_receipt_lists_pins(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    order = airtime(900)
    purchase = (await service.submit(user_id, order, idempotency_key="k")).purchase

    await vend(service, purchase.id, FakeVTPass(Outcome.DELIVERED, pins=("1234-5678",)))

    [receipt] = await _receipts(sessionmaker, purchase.id)
    assert "PIN: 1234-5678" in receipt


async def test_an_unknown_outcome_stays_pending_and_is_never_refunded(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase

    done = await vend(service, purchase.id, FakeVTPass(OutcomeUnknown("read timeout")))

    assert done.status is PurchaseStatus.PENDING
    assert await service.wallet_balance(PHONE) == 4_000 * N
    assert (await _balances(sessionmaker))["clearing"] == 1_000 * N
    assert await _receipts(sessionmaker, purchase.id) == []
    await assert_reconciled(sessionmaker)


async def test_the_audit_trail_records_exchanges_without_credentials(service, sessionmaker):
    from gateway.store import purchases as store

    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    await vend(service, purchase.id, FakeVTPass(Outcome.DELIVERED))

    async with sessionmaker() as session:
        [entry] = await store.audit_trail(session, purchase.id)
    assert entry.op == "pay"
    assert entry.outcome == "delivered"
    assert entry.request is not None
    assert entry.request["request_id"] == purchase.request_id
    assert entry.response is not None
    assert "api-key" not in entry.response["body"]
    assert entry.response["body"]["requestId"] == purchase.request_id


async def test_a_requery_of_a_delivered_purchase_confirms_a_reversal(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(pay=Outcome.DELIVERED, requery=Outcome.REVERSED)
    await vend(service, purchase.id, vtpass)

    done = await service.requery(purchase.id, vtpass)

    assert done.status is PurchaseStatus.REVERSED
    assert await service.wallet_balance(PHONE) == 5_000 * N
    await assert_reconciled(sessionmaker)


async def test_a_requery_of_a_failed_purchase_asks_nothing(service):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(pay=Outcome.FAILED, requery=Outcome.DELIVERED)
    await vend(service, purchase.id, vtpass)

    done = await service.requery(purchase.id, vtpass)

    assert done.status is PurchaseStatus.FAILED
    assert vtpass.requery_calls == []


def test_scrub_removes_credentials_at_any_depth():
    from gateway.scrub import scrub

    body = {
        "code": "000",
        "headers": {"api-key": "a", "Secret_Key": "b", "PUBLIC-KEY": "c", "Authorization": "d"},
        "content": [{"password": "e", "token": "26362054405982757802"}],
    }

    assert scrub(body) == {
        "code": "000",
        "headers": {},
        "content": [{"token": "26362054405982757802"}],
    }
