"""The worker's fast path: one transaction claims a batch (initiated -> pending, leased), then
each claimed purchase gets its single `/pay`. A claim whose `/pay` never left is found by the
requery sweep (VTPass says 015) and, after the grace period, paid with the same request_id."""

from __future__ import annotations

import pytest

from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import InvalidInput
from gateway.purchases.service import PurchaseService
from gateway.vtpass.models import Outcome
from tests.purchases.conftest import airtime, assert_reconciled, funded_user
from tests.purchases.fakes import FakeVTPass


async def test_a_batch_claim_moves_initiated_purchases_to_pending_before_any_pay(service):
    user_id = await funded_user(service, 5_000)
    first = (await service.submit(user_id, airtime(100), idempotency_key="a")).purchase
    second = (await service.submit(user_id, airtime(100), idempotency_key="b")).purchase

    claimed = await service.claim_batch()

    assert [(p.id, was) for p, was in claimed] == [
        (first.id, PurchaseStatus.INITIATED),
        (second.id, PurchaseStatus.INITIATED),
    ]
    for purchase, _ in claimed:
        assert purchase.status is PurchaseStatus.PENDING
        assert purchase.vend_claimed_by == service.worker_id
        assert purchase.pay_sent_at is not None
        assert purchase.buyer_phone == "+2348031234567"
    assert await service.claim_batch() == []  # leased


async def test_a_claimed_purchase_is_paid_once(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    await service.submit(user_id, airtime(100), idempotency_key="a")
    ((claimed, _),) = await service.claim_batch()
    vtpass = FakeVTPass(Outcome.DELIVERED)

    done = await service.vend_claimed(claimed, vtpass)

    assert done.status is PurchaseStatus.DELIVERED
    with pytest.raises(InvalidInput):
        await service.vend_claimed(done, vtpass)
    assert vtpass.paid(claimed.request_id) == 1
    await assert_reconciled(sessionmaker)


async def test_only_the_claimant_may_pay(service, sessionmaker, clock):
    user_id = await funded_user(service, 5_000)
    await service.submit(user_id, airtime(100), idempotency_key="a")
    ((claimed, _),) = await service.claim_batch()
    other = PurchaseService(sessionmaker, clock, worker_id="other")

    with pytest.raises(InvalidInput):
        await other.vend_claimed(claimed, FakeVTPass())


async def test_a_claim_that_died_before_pay_is_paid_later_with_the_same_id(
    service, sessionmaker, clock
):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(100), idempotency_key="a")).purchase
    await service.claim_batch()  # ... and the worker dies before sending anything
    vtpass = FakeVTPass(Outcome.DELIVERED)

    clock.advance(200)  # the lease expires
    ((due, was),) = await service.claim_batch()
    assert was is PurchaseStatus.PENDING
    assert (await service.requery(due.id, vtpass)).status is PurchaseStatus.PENDING  # 015, soon
    clock.advance(600)
    assert (await service.requery(due.id, vtpass)).status is PurchaseStatus.INITIATED
    ((again, was),) = await service.claim_batch()
    done = await service.vend_claimed(again, vtpass)

    assert was is PurchaseStatus.INITIATED
    assert done.status is PurchaseStatus.DELIVERED
    assert [call.request_id for call in vtpass.pay_calls] == [purchase.request_id]
    await assert_reconciled(sessionmaker)


async def test_a_claim_on_a_later_lagos_day_gets_a_fresh_request_id(service, sessionmaker, clock):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(100), idempotency_key="a")).purchase
    clock.advance(24 * 3600)
    ((claimed, _),) = await service.claim_batch()

    done = await service.vend_claimed(claimed, FakeVTPass(Outcome.DELIVERED))

    assert done.status is PurchaseStatus.DELIVERED
    assert done.request_id != purchase.request_id
    await assert_reconciled(sessionmaker)
