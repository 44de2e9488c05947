"""The post-delivery check: a reversal whose webhook never came is still found and refunded.

VTPass can reverse a delivered purchase later; if that webhook is lost, nothing else would
ever ask again. An hour after delivery (on the shared clock) the worker requeries each
delivered purchase once: the reversal is refunded once, and a purchase is never checked twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from gateway.domain.purchase_status import PurchaseStatus
from gateway.purchases.models import PurchasePolicy
from gateway.store import purchases as store
from gateway.store import rechecks
from gateway.worker.recheck import LEASE_S
from tests.worker.harness import FAST, N, electricity, eventually

DELIVERED = {PurchaseStatus.DELIVERED}
RECHECK_S = PurchasePolicy().delivered_recheck_s or 0.0


async def delivered(harness, key: str = "k1"):
    user_id = await harness.fund(10_000)
    purchase = await harness.submit(user_id, electricity(), key)
    return await harness.wait_status(purchase.id, DELIVERED)


async def audit_ops(harness, purchase_id: int) -> list[str]:
    async with harness.db() as session:
        return [row.op for row in await store.audit_trail(session, purchase_id)]


async def test_a_reversal_whose_webhook_was_lost_is_refunded_by_the_check(harness, worker):
    purchase = await delivered(harness)
    await harness.sim("reverse", {"request_id": purchase.request_id})  # no callback is sent
    asked_before = harness.transport.requeries[purchase.request_id]

    assert await worker.recheck_delivered() == 0  # not an hour yet
    await harness.make_due(RECHECK_S)
    assert await worker.recheck_delivered() == 1

    reversed_ = await harness.service.get(purchase.id)
    assert reversed_.status is PurchaseStatus.REVERSED
    assert await harness.wallet() == 10_000 * N
    assert await harness.vtpass_float() == 0
    assert harness.transport.requeries[purchase.request_id] == asked_before + 1
    assert (await audit_ops(harness, purchase.id)).count("recheck") == 1
    await harness.reconciled()


async def test_each_delivered_purchase_is_checked_once(harness, worker):
    purchase = await delivered(harness)
    asked_before = harness.transport.requeries[purchase.request_id]

    await harness.make_due(RECHECK_S)
    assert await worker.recheck_delivered() == 1
    await harness.make_due(7 * 86_400)  # long past the check's lease too
    assert await worker.recheck_delivered() == 0

    checked = await harness.service.get(purchase.id)
    assert checked.status is PurchaseStatus.DELIVERED
    assert checked.next_requery_at is None  # finished, not left to fall due again
    assert harness.transport.requeries[purchase.request_id] == asked_before + 1
    assert await harness.wallet() == 10_000 * N - purchase.total
    await harness.reconciled()


async def test_a_check_taken_by_a_worker_that_died_is_run_when_its_lease_ends(harness, worker):
    purchase = await delivered(harness)
    await harness.sim("reverse", {"request_id": purchase.request_id})  # no callback is sent
    await harness.make_due(RECHECK_S)
    now = harness.clock.now()
    async with harness.db.begin() as session:  # taken, then its worker died before asking
        taken = await rechecks.claim_due_checks(
            session, now=now, lease_until=now + timedelta(seconds=LEASE_S)
        )
    assert [purchase_id for purchase_id, _ in taken] == [purchase.id]

    assert await worker.recheck_delivered() == 0  # still under the dead worker's lease
    await harness.make_due(LEASE_S)
    assert await worker.recheck_delivered() == 1

    assert (await harness.service.get(purchase.id)).status is PurchaseStatus.REVERSED
    assert await harness.wallet() == 10_000 * N
    assert (await audit_ops(harness, purchase.id)).count("recheck") == 1
    await harness.reconciled()


async def test_two_workers_share_the_checks_without_asking_twice(pg_harness):
    harness = pg_harness
    worker = harness.worker("w0")
    worker.start()
    try:
        purchases = [await delivered(harness, f"k{i}") for i in range(3)]
    finally:
        await worker.stop()
    await harness.sim("reverse", {"request_id": purchases[1].request_id})
    await harness.make_due(RECHECK_S)

    counts = await asyncio.gather(
        harness.worker("w1").recheck_delivered(), harness.worker("w2").recheck_delivered()
    )

    assert sum(counts) == 3
    assert [harness.transport.requeries[p.request_id] for p in purchases] == [1, 1, 1]
    assert await harness.wallet() == 10_000 * N - purchases[0].total - purchases[2].total
    await harness.reconciled()


async def test_the_running_worker_finds_a_lost_reversal_on_its_own(pg_harness):
    harness = pg_harness
    config = dataclasses.replace(FAST, recheck_interval_s=0.05)
    worker = harness.worker("w1", config)
    worker.start()
    try:
        purchase = await delivered(harness)
        await harness.sim("reverse", {"request_id": purchase.request_id})
        await harness.make_due(RECHECK_S)
        await harness.wait_status(purchase.id, {PurchaseStatus.REVERSED})
        await eventually(
            lambda: _receipts(harness, purchase.id, 2), what="the reversal's receipt to be sent"
        )
    finally:
        await worker.stop()
    assert await harness.wallet() == 10_000 * N
    await harness.reconciled()


async def _receipts(harness, purchase_id: int, count: int) -> bool:
    return len(await harness.outbox(purchase_id)) == count
