"""Submits and settlements that share one transaction behave exactly as if each ran alone."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import func, select

from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import Conflict, NotFound
from gateway.purchases.models import InsufficientFunds
from gateway.purchases.service import PurchaseService
from gateway.store import ledger, users
from gateway.store.purchases import PurchaseRecord
from gateway.store.tables import Journal
from gateway.vtpass.models import Outcome, PayResult
from tests.purchases.conftest import N, airtime, assert_reconciled, funded_user

OTHER = "08039999999"
THIRD = "08037777777"


async def one_batch_at_a_time(service: PurchaseService) -> None:
    """With one batch running, everything submitted meanwhile shares the next batch.

    Pricing rules are cached first, so concurrent submits reach the queue in the same tick.
    """
    await service.quote("airtime", "mtn", 100 * N)
    service.submit_batches.max_concurrent = 1
    service.settle_batches.max_concurrent = 1


async def airtime_purchases(
    service: PurchaseService, user_id: int, *keys: str
) -> list[PurchaseRecord]:
    """One N1,000 airtime purchase submitted for `user_id` per idempotency key, in order."""
    return [
        (await service.submit(user_id, airtime(1_000), idempotency_key=key)).purchase
        for key in keys
    ]


async def _journals(sessionmaker, kind: ledger.JournalKind, purchase_id: int) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(Journal)
                .where(Journal.kind == str(kind), Journal.purchase_id == purchase_id)
            )
            or 0
        )


async def test_orders_in_one_batch_are_each_accepted_or_refused_on_their_own(service, sessionmaker):
    await one_batch_at_a_time(service)
    rich = await funded_user(service, 5_000)
    poor = await funded_user(service, 1_500, phone=OTHER)

    results = await asyncio.gather(
        service.submit(rich, airtime(100), idempotency_key="warm-up"),
        service.submit(poor, airtime(1_000), idempotency_key="p1"),
        service.submit(rich, airtime(2_000), idempotency_key="r1"),
        service.submit(poor, airtime(1_000), idempotency_key="p2"),  # 500 left by then
        service.submit(rich, airtime(2_000), idempotency_key="r2"),
        return_exceptions=True,
    )

    assert service.submit_batches.largest == 4
    assert isinstance(results[3], InsufficientFunds)
    accepted = [r for i, r in enumerate(results) if i != 3]
    assert all(not isinstance(r, BaseException) and r.created for r in accepted)
    assert len({r.purchase.id for r in accepted}) == 4
    assert await service.wallet_balance(OTHER) == 500 * N
    assert await service.wallet_balance("08031234567") == (5_000 - 4_100) * N
    await assert_reconciled(sessionmaker)


async def test_one_key_twice_in_a_batch_makes_one_purchase_and_one_replay(service, sessionmaker):
    await one_batch_at_a_time(service)
    user_id = await funded_user(service, 5_000)

    _, first, second = await asyncio.gather(
        service.submit(user_id, airtime(100), idempotency_key="warm-up"),
        service.submit(user_id, airtime(1_000), idempotency_key="same"),
        service.submit(user_id, airtime(1_000), idempotency_key="same"),
    )

    assert service.submit_batches.largest == 2
    assert first.created
    assert not second.created
    assert second.purchase.id == first.purchase.id
    assert await service.wallet_balance("08031234567") == 3_900 * N
    await assert_reconciled(sessionmaker)


async def test_one_key_for_two_different_orders_in_a_batch_refuses_the_second(service):
    await one_batch_at_a_time(service)
    user_id = await funded_user(service, 5_000)

    _, first, second = await asyncio.gather(
        service.submit(user_id, airtime(100), idempotency_key="warm-up"),
        service.submit(user_id, airtime(1_000), idempotency_key="same"),
        service.submit(user_id, airtime(2_000), idempotency_key="same"),
        return_exceptions=True,
    )

    assert first.created
    assert isinstance(second, Conflict)
    assert await service.wallet_balance("08031234567") == 3_900 * N


async def test_two_answers_for_one_purchase_in_a_batch_move_its_money_once(service, sessionmaker):
    await one_batch_at_a_time(service)
    user_id = await funded_user(service, 5_000)
    warm = (await service.submit(user_id, airtime(100), idempotency_key="w")).purchase
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    delivered = PayResult(Outcome.DELIVERED, purchase.request_id, code="000")

    _, first, second = await asyncio.gather(
        service.settle(warm.id, PayResult(Outcome.DELIVERED, warm.request_id, code="000")),
        service.settle(purchase.id, delivered, source="webhook"),
        service.settle(purchase.id, delivered, source="requery"),
    )

    assert service.settle_batches.largest == 2
    assert first.status is second.status is PurchaseStatus.DELIVERED
    assert await _journals(sessionmaker, ledger.JournalKind.PURCHASE_DELIVERED, purchase.id) == 1
    await assert_reconciled(sessionmaker)


async def test_a_failure_and_a_delivery_in_one_batch_refund_only_the_failure(service, sessionmaker):
    await one_batch_at_a_time(service)
    user_id = await funded_user(service, 5_000)
    a, b, c = await airtime_purchases(service, user_id, "a", "b", "c")

    results = await asyncio.gather(
        service.settle(a.id, PayResult(Outcome.DELIVERED, a.request_id, code="000")),
        service.settle(b.id, PayResult(Outcome.FAILED, b.request_id, code="016")),
        service.settle(c.id, PayResult(Outcome.DELIVERED, c.request_id, code="000")),
        service.settle(10**9, PayResult(Outcome.DELIVERED, "nope", code="000")),
        return_exceptions=True,
    )

    assert [r.status for r in results[:3]] == [
        PurchaseStatus.DELIVERED,
        PurchaseStatus.FAILED,
        PurchaseStatus.DELIVERED,
    ]
    assert isinstance(results[3], NotFound)
    assert await service.wallet_balance("08031234567") == 3_000 * N
    await assert_reconciled(sessionmaker)


async def test_claiming_never_waits_on_a_wallet_a_submit_holds(pg_sessionmaker, clock):
    # A submit batch holds its wallets while it locks more, in account order; a claim that
    # took wallet locks (Postgres re-checks foreign keys when a transaction updates a row
    # it already updated) would wait on it here, and could deadlock with it under load.
    service = PurchaseService(pg_sessionmaker, clock, worker_id="claims")
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase

    async with pg_sessionmaker.begin() as session:
        assert await users.lock_wallet(session, user_id) is not None
        claimed = await asyncio.wait_for(service.claim_batch(10), timeout=5)

    assert [p.id for p, _ in claimed] == [purchase.id]


async def test_a_delivery_never_waits_on_a_wallet_a_submit_holds(pg_sessionmaker, clock):
    service = PurchaseService(pg_sessionmaker, clock, worker_id="deliveries")
    user_id = await funded_user(service, 5_000)
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase
    delivered = PayResult(Outcome.DELIVERED, purchase.request_id, code="000")

    async with pg_sessionmaker.begin() as session:
        assert await users.lock_wallet(session, user_id) is not None
        settled = await asyncio.wait_for(service.settle(purchase.id, delivered), timeout=5)

    assert settled.status is PurchaseStatus.DELIVERED


async def test_two_answers_in_one_settle_batch_never_wait_on_a_wallet_a_submit_holds(
    pg_sessionmaker, clock
):
    # Same invariant as test_a_delivery_never_waits_on_a_wallet_a_submit_holds, but the
    # purchase gets two answers in one batch (a "pending" webhook and a delivered requery):
    # update_many updates its row twice, and Postgres' re-check of the second update's
    # foreign keys takes KEY SHARE on the wallet (and user) row.
    service = PurchaseService(pg_sessionmaker, clock, worker_id="deliveries")
    await one_batch_at_a_time(service)
    user_id = await funded_user(service, 5_000)
    warm = (await service.submit(user_id, airtime(100), idempotency_key="w")).purchase
    purchase = (await service.submit(user_id, airtime(1_000), idempotency_key="k")).purchase

    waited: TimeoutError | None = None
    async with pg_sessionmaker.begin() as session:
        assert await users.lock_wallet(session, user_id) is not None
        settling = asyncio.gather(
            service.settle(warm.id, PayResult(Outcome.DELIVERED, warm.request_id, code="000")),
            service.settle(purchase.id, PayResult(Outcome.PENDING, purchase.request_id)),
            service.settle(
                purchase.id, PayResult(Outcome.DELIVERED, purchase.request_id, code="000")
            ),
        )
        try:
            results = await asyncio.wait_for(asyncio.shield(settling), timeout=5)
        except TimeoutError as exc:
            waited = exc
    results = await settling  # the wallet is free now
    await service.drain()

    assert waited is None, "the settle batch waited on the wallet a submit holds"
    assert service.settle_batches.largest == 2
    assert results[2].status is PurchaseStatus.DELIVERED


async def test_a_settle_batch_with_two_answers_for_one_purchase_never_deadlocks_with_a_submit(
    pg_sessionmaker, clock, caplog
):
    # A submit batch locks wallets A then B (account order). A settle batch that updates one
    # of B's purchases twice holds KEY SHARE on wallet B (foreign-key re-check) from
    # update_many, then post_many asks for wallet A FOR UPDATE: a lock cycle.
    caplog.set_level(logging.WARNING, logger="gateway.group_commit")
    service = PurchaseService(pg_sessionmaker, clock, worker_id="refunds")
    await one_batch_at_a_time(service)
    user_a = await funded_user(service, 5_000)
    user_b = await funded_user(service, 5_000, phone=OTHER)
    warm = (await service.submit(user_a, airtime(100), idempotency_key="w")).purchase
    pa = (await service.submit(user_a, airtime(1_000), idempotency_key="a")).purchase
    pb = (await service.submit(user_b, airtime(1_000), idempotency_key="b")).purchase
    batches_before = service.settle_batches.batches

    submit_error: BaseException | None = None
    async with pg_sessionmaker.begin() as session:  # a submit batch for users A and B
        assert await users.lock_wallets(session, [user_a]) != {}
        settling = asyncio.gather(
            service.settle(warm.id, PayResult(Outcome.DELIVERED, warm.request_id, code="000")),
            service.settle(pb.id, PayResult(Outcome.PENDING, pb.request_id)),
            service.settle(pb.id, PayResult(Outcome.FAILED, pb.request_id, code="016")),
            service.settle(pa.id, PayResult(Outcome.FAILED, pa.request_id, code="016")),
        )
        await asyncio.sleep(0.5)  # the settle batch now waits for wallet A
        try:
            await asyncio.wait_for(users.lock_wallets(session, [user_b]), timeout=10)
        except Exception as exc:
            submit_error = exc
            await session.rollback()
    results = await settling

    retried = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert submit_error is None, f"the submit side failed: {submit_error!r}"
    assert not retried, f"the settle batch failed as a whole: {retried}"
    assert service.settle_batches.batches == batches_before + 2
    assert results[2].status is PurchaseStatus.FAILED


async def test_two_answers_for_one_purchase_after_another_refund_settle_in_one_batch(
    service, sessionmaker, caplog
):
    # p gets "pending" (initiated -> pending) then "failed" (pending -> failed) in one batch,
    # after another purchase's failure: update_many runs the REFUND-shaped statement (q's
    # and p's refunds) before the WAIT-shaped one, so p's refund (guard status = pending)
    # meets a row that is still initiated, and the whole batch fails and is retried.
    caplog.set_level(logging.WARNING, logger="gateway.group_commit")
    await one_batch_at_a_time(service)
    user_id = await funded_user(service, 5_000)
    warm, q, p = await airtime_purchases(service, user_id, "w", "q", "p")

    results = await asyncio.gather(
        service.settle(warm.id, PayResult(Outcome.DELIVERED, warm.request_id, code="000")),
        service.settle(q.id, PayResult(Outcome.FAILED, q.request_id, code="016")),
        service.settle(p.id, PayResult(Outcome.PENDING, p.request_id)),
        service.settle(p.id, PayResult(Outcome.FAILED, p.request_id, code="016")),
    )

    retried = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert [r.status for r in results[1:]] == [
        PurchaseStatus.FAILED,
        PurchaseStatus.PENDING,
        PurchaseStatus.FAILED,
    ]
    assert not retried, f"the settle batch failed as a whole: {retried}"
    await assert_reconciled(sessionmaker)
