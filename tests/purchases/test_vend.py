"""vend: `/pay` leaves at most once per purchase, whatever crashes, races or retries happen.

Every purchase is driven the worker's own way (`claim_batch`, then `vend_claimed` or
`requery`): see `tests.purchases.conftest.run_due`.
"""

from __future__ import annotations

import asyncio

from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import UpstreamUnavailable
from gateway.purchases.models import PurchasePolicy
from gateway.purchases.service import PurchaseService
from gateway.vtpass.models import Outcome
from tests.purchases.conftest import PHONE, N, airtime, assert_reconciled, funded_user, vend
from tests.purchases.fakes import FakeVTPass


async def test_concurrent_vends_of_one_purchase_send_pay_once(service, sessionmaker):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(Outcome.DELIVERED, delay_s=0.05)
    other = PurchaseService(sessionmaker, service.clock, worker_id="other-worker")

    results = await asyncio.gather(
        vend(service, purchase.id, vtpass), vend(other, purchase.id, vtpass)
    )

    assert vtpass.paid(purchase.request_id) == 1
    assert PurchaseStatus.DELIVERED in {r.status for r in results}
    assert (await service.get(purchase.id)).status is PurchaseStatus.DELIVERED
    await assert_reconciled(sessionmaker)


async def test_a_settled_purchase_is_never_claimed_for_pay_again(service):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(Outcome.DELIVERED)
    await vend(service, purchase.id, vtpass)

    again = await vend(service, purchase.id, vtpass)

    assert again.status is PurchaseStatus.DELIVERED
    assert len(vtpass.pay_calls) == 1


async def test_upstream_unavailable_leaves_the_purchase_retryable_with_its_request_id(
    service, sessionmaker, clock
):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass([UpstreamUnavailable("connect refused"), Outcome.DELIVERED])

    queued = await vend(service, purchase.id, vtpass)

    assert queued.status is PurchaseStatus.INITIATED
    assert queued.request_id == purchase.request_id
    assert queued.vend_claimed_by is None
    assert queued.next_requery_at is not None
    assert await service.wallet_balance(PHONE) == 4_000 * N  # still held, never refunded
    await assert_reconciled(sessionmaker)

    clock.advance(60)
    done = await vend(service, purchase.id, vtpass)

    assert done.status is PurchaseStatus.DELIVERED
    assert [call.request_id for call in vtpass.pay_calls] == [purchase.request_id] * 2
    await assert_reconciled(sessionmaker)


async def test_a_worker_killed_mid_vend_is_finished_by_requery_without_a_second_pay(
    service, sessionmaker, clock
):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(Outcome.DELIVERED)
    # the dead worker claimed the purchase and its /pay reached VTPass, then it died
    dead = PurchaseService(
        sessionmaker, clock, worker_id="dead-worker", policy=PurchasePolicy(vend_lease_s=180)
    )
    assert [p.id for p, _ in await dead.claim_batch()] == [purchase.id]
    vtpass.accepted.add(purchase.request_id)
    assert await service.claim_batch() == []  # leased: nobody touches it yet

    clock.advance(200)  # the lease expires
    done = await vend(service, purchase.id, vtpass)  # due for a requery now, never a /pay

    assert done.status is PurchaseStatus.DELIVERED
    assert vtpass.pay_calls == []
    assert vtpass.requery_calls == [purchase.request_id]
    await assert_reconciled(sessionmaker)


async def test_a_claim_that_never_reached_vtpass_is_paid_again_with_the_same_id(
    service, sessionmaker, clock
):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(Outcome.DELIVERED)
    # claimed, then died before sending (its lease lapses at once)
    dead = PurchaseService(
        sessionmaker, clock, worker_id="dead", policy=PurchasePolicy(vend_lease_s=0)
    )
    await dead.claim_batch()

    clock.advance(60)
    soon = await service.requery(purchase.id, vtpass)  # 015 so soon may be VTPass lagging
    assert soon.status is PurchaseStatus.PENDING
    clock.advance(600)
    unsent = await service.requery(purchase.id, vtpass)  # still 015: it never left
    assert unsent.status is PurchaseStatus.INITIATED
    done = await vend(service, purchase.id, vtpass)

    assert done.status is PurchaseStatus.DELIVERED
    assert [call.request_id for call in vtpass.pay_calls] == [purchase.request_id]
    await assert_reconciled(sessionmaker)


async def test_an_unsent_purchase_retried_on_a_later_lagos_day_gets_a_fresh_request_id(
    service, sessionmaker, clock
):
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass([UpstreamUnavailable("breaker open"), Outcome.DELIVERED])
    await vend(service, purchase.id, vtpass)

    clock.advance(24 * 3600)
    done = await vend(service, purchase.id, vtpass)

    assert done.status is PurchaseStatus.DELIVERED
    assert done.request_id != purchase.request_id
    assert done.request_id[:8] == "20250603"
    await assert_reconciled(sessionmaker)


async def test_pending_requeries_back_off_from_30s_doubling_to_an_hour(sessionmaker, clock):
    service = PurchaseService(sessionmaker, clock)
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(pay=Outcome.PENDING, requery=Outcome.PENDING)
    delays = []

    current = await vend(service, purchase.id, vtpass)
    for _ in range(9):
        delays.append((current.next_requery_at - clock.now()).total_seconds())
        clock.set(current.next_requery_at)
        current = await service.requery(purchase.id, vtpass)

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert current.status is PurchaseStatus.PENDING
    assert not current.needs_review


async def test_a_purchase_pending_too_many_times_is_flagged_for_review(sessionmaker, clock):
    policy = PurchasePolicy(review_after_attempts=3)
    service = PurchaseService(sessionmaker, clock, policy=policy)
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    vtpass = FakeVTPass(pay=Outcome.PENDING, requery=Outcome.PENDING)

    await vend(service, purchase.id, vtpass)
    for _ in range(2):
        clock.advance(3600)
        flagged = await service.requery(purchase.id, vtpass)

    assert flagged.needs_review
    assert flagged.next_requery_at is None  # out of the sweep; an operator or webhook settles it
    assert flagged.status is PurchaseStatus.PENDING
    assert await service.wallet_balance(PHONE) == 4_000 * N  # never refunded on a timeout
    clock.advance(7200)
    assert await service.claim_batch() == []
    await assert_reconciled(sessionmaker)


async def test_a_claim_leases_initiated_and_due_pending_purchases(service, clock):
    user_id = await funded_user(service, 5_000)
    pending = (await service.submit(user_id, airtime(1_000), idempotency_key="b")).purchase
    await vend(service, pending.id, FakeVTPass(Outcome.PENDING))
    initiated = (await service.submit(user_id, airtime(1_000), idempotency_key="a")).purchase

    claimed = await service.claim_batch()

    assert [(p.id, was) for p, was in claimed] == [(initiated.id, PurchaseStatus.INITIATED)]
    clock.advance(20)
    assert await service.extend_leases([initiated.id]) == 1  # its worker's heartbeat
    clock.advance(11)  # the pending one's requery is due; the held one's lease still runs
    other = PurchaseService(service.sessionmaker, clock, worker_id="other")
    claimed = await other.claim_batch()
    assert [(p.id, was) for p, was in claimed] == [(pending.id, PurchaseStatus.PENDING)]


async def test_concurrent_sweeps_lease_disjoint_purchases(service, clock):
    user_id = await funded_user(service, 50_000)
    for i in range(12):
        await service.submit(user_id, airtime(1_000), idempotency_key=f"p{i}")
    workers = [PurchaseService(service.sessionmaker, clock, worker_id=f"w{i}") for i in range(3)]

    leased = await asyncio.gather(*(worker.claim_batch(limit=5) for worker in workers))

    ids = [purchase.id for batch in leased for purchase, _ in batch]
    assert len(ids) == len(set(ids)) == 12
