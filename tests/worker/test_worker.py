"""The worker: wakes on submit, sweeps what it missed, shares work, survives being killed.

The crash story: worker w1 claims a purchase (initiated -> pending) and its `/pay` leaves; w1
dies before the answer. Its lease, no longer renewed by its heartbeat, keeps everyone off the
purchase for at most `vend_lease_s` (30 s); once it lapses, w2's sweep requeries (never
re-pays) and settles it. The transport counts `/pay`
requests as they leave, so a second one cannot hide behind the simulator's 014.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.clock import FixedClock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.purchases.models import PurchasePolicy
from gateway.purchases.service import PurchaseService
from gateway.worker.runner import Worker
from gateway.worker.wakeup import LocalWakeUp
from tests.worker.harness import FAST, N, electricity, eventually

DELIVERED = {PurchaseStatus.DELIVERED}
SLOW_METER = "300000000000"  # stored at once, answered after the client gave up


async def test_a_worker_killed_mid_vend_is_finished_by_the_next_without_a_second_pay(pg_harness):
    harness = pg_harness
    first = harness.worker("w1")
    first.start()
    user_id = await harness.fund(10_000)
    # the timeout scenario: VTPass stores the purchase at once and answers 0.5 s later
    purchase = await harness.submit(user_id, electricity(SLOW_METER), "k1")
    rid = purchase.request_id

    await eventually(lambda: _rid_in(harness, rid), what="VTPass to store the purchase")
    await first.abort()  # killed while waiting for VTPass's answer
    orphan = await harness.service.get(purchase.id)
    assert orphan.status is PurchaseStatus.PENDING
    assert orphan.vend_claimed_by == "w1"
    assert orphan.attempts == 0  # no answer was ever recorded
    await harness.sim("resolve", {"request_id": rid, "status": "delivered"})

    second = harness.worker("w2")
    second.start()
    try:
        await harness.make_due(29)
        await asyncio.sleep(0.2)  # w1's lease still holds everyone off
        assert (await harness.service.get(purchase.id)).vend_claimed_by == "w1"
        await harness.make_due(2)  # 31 s: the lease w1 no longer renews has lapsed
        done = await harness.wait_status(purchase.id, DELIVERED)
    finally:
        await second.stop()

    assert done.token is not None
    assert harness.transport.pays[rid] == 1
    assert harness.transport.requeries[rid] >= 1
    assert [t["request_id"] for t in await harness.sim_transactions()] == [rid]
    assert await harness.wallet() == 10_000 * N - done.total
    await harness.reconciled()


async def test_graceful_stop_finishes_purchases_in_flight(pg_harness):
    harness = pg_harness
    await harness.sim("latency", {"seconds": 0.2})
    worker = harness.worker("w1")
    worker.start()
    user_id = await harness.fund(50_000)
    purchases = [await harness.submit(user_id, electricity(), f"k{i}") for i in range(5)]
    await eventually(lambda: _true(len(harness.transport.pays) == 5), what="five /pay calls")

    await worker.stop()

    for purchase in purchases:
        done = await harness.service.get(purchase.id)
        assert done.status is PurchaseStatus.DELIVERED
        assert done.vend_claimed_by is None
    await harness.reconciled()


async def test_stop_past_its_grace_releases_claims_for_a_requery_never_a_second_pay(pg_harness):
    harness = pg_harness
    impatient = dataclasses.replace(FAST, shutdown_grace_s=0.01)
    worker = harness.worker("w1", impatient)
    worker.start()
    user_id = await harness.fund(10_000)
    purchase = await harness.submit(user_id, electricity(SLOW_METER), "k1")
    await eventually(lambda: _rid_in(harness, purchase.request_id))

    await worker.stop()

    released = await harness.service.get(purchase.id)
    assert released.status is PurchaseStatus.PENDING
    assert released.vend_claimed_by is None
    assert released.next_requery_at is not None
    await harness.sim("resolve", {"request_id": purchase.request_id, "status": "delivered"})
    successor = harness.worker("w2")
    successor.start()
    try:
        await harness.make_due(31)
        await harness.wait_status(purchase.id, DELIVERED)
    finally:
        await successor.stop()
    assert harness.transport.pays[purchase.request_id] == 1
    await harness.reconciled()


async def test_a_submit_wakes_the_worker_at_once(pg_harness):
    harness = pg_harness
    sleepy = dataclasses.replace(FAST, sweep_interval_s=60)
    worker = harness.worker(config=sleepy)
    worker.start()
    try:
        await asyncio.sleep(0.05)  # the worker is asleep until the next sweep, a minute away
        user_id = await harness.fund(10_000)
        purchase = await harness.submit(user_id, electricity(), "k1")
        await harness.wait_status(purchase.id, DELIVERED, timeout=2)
    finally:
        await worker.stop()


async def test_the_sweep_finds_purchases_nobody_announced(pg_harness):
    harness = pg_harness
    silent = PurchaseService(harness.db, harness.clock, worker_id="another-gateway")
    user_id = (await silent.credit_wallet("08031234567", 10_000 * N, "seed")).user_id
    purchase = (await silent.submit(user_id, electricity(), idempotency_key="k1")).purchase
    worker = harness.worker()
    worker.start()
    try:
        await harness.wait_status(purchase.id, DELIVERED, timeout=2)
    finally:
        await worker.stop()


@pytest.mark.parametrize("gateway_overrides", [{"vtpass_pay_read_timeout_s": 10.0}])
async def test_many_purchases_are_in_flight_at_once(pg_harness):
    harness = pg_harness
    await harness.sim("latency", {"seconds": 0.25})
    user_id = await harness.fund(200_000)
    purchases = [await harness.submit(user_id, electricity(), f"k{i}") for i in range(60)]
    worker = harness.worker()
    started = asyncio.get_running_loop().time()
    worker.start()
    try:
        for purchase in purchases:
            await harness.wait_status(purchase.id, DELIVERED)
    finally:
        await worker.stop()
    # one at a time would take 60 x 0.25 s = 15 s
    assert asyncio.get_running_loop().time() - started < 5
    assert set(harness.transport.pays.values()) == {1}
    await harness.reconciled()


# a loaded CI box can take longer than the harness's 0.3 s pay timeout; a timed-out /pay is
# pending until the (frozen) clock makes its requery due, which is not what this test is about
@pytest.mark.parametrize("gateway_overrides", [{"vtpass_pay_read_timeout_s": 10.0}])
async def test_two_workers_share_the_work_and_pay_each_purchase_once(harness):
    user_id = await harness.fund(200_000)
    workers = [harness.worker(f"w{i}") for i in range(2)]
    for worker in workers:
        worker.start()
    try:
        purchases = [await harness.submit(user_id, electricity(), f"k{i}") for i in range(30)]
        for purchase in purchases:
            await harness.wait_status(purchase.id, DELIVERED)
    finally:
        for worker in workers:
            await worker.stop()
    assert len(harness.transport.pays) == 30
    assert set(harness.transport.pays.values()) == {1}
    await harness.reconciled()


async def test_run_due_processes_one_batch_in_the_callers_task(pg_harness):
    harness = pg_harness
    user_id = await harness.fund(10_000)
    purchase = await harness.submit(user_id, electricity("1234567890123"), "k1")
    worker = harness.worker()

    assert await worker.run_due() == 1
    assert await worker.send_outbox() == 2  # the wallet credit's SMS, then the receipt

    assert (await harness.service.get(purchase.id)).status is PurchaseStatus.FAILED
    assert [m.status for m in await harness.outbox(purchase.id)] == ["sent"]
    assert await worker.run_due() == 0


async def _true(value: bool) -> bool:
    return value


async def _rid_in(harness, rid: str):
    return next((t for t in await harness.sim_transactions() if t["request_id"] == rid), None)


class SettlesAfterTheGrace:
    """A purchase service whose settlement outlives the vend that started it, as a
    group-commit batch does: the vend is cancelled, the batch holds its connection on."""

    def __init__(self, sessionmaker: Any) -> None:
        self.sessionmaker = sessionmaker  # the outbox lanes' own
        self.policy = PurchasePolicy()
        self.worker_id = "w-slow"
        self.settling: asyncio.Task[None] | None = None
        self.settled = False

    async def claim_batch(self, _limit: int) -> list[Any]:
        if self.settling is not None:
            return []
        return [(SimpleNamespace(id=1), PurchaseStatus.INITIATED)]

    async def vend_claimed(self, _purchase: Any, _gateway: Any) -> Any:
        self.settling = asyncio.create_task(self._settle())
        return await asyncio.shield(self.settling)

    async def _settle(self) -> None:
        await asyncio.sleep(0.3)
        self.settled = True

    async def drain(self) -> None:
        if self.settling is not None:
            await asyncio.gather(self.settling, return_exceptions=True)

    async def release_claims(self) -> int:
        return 0

    async def extend_leases(self, _held: Any) -> int:
        return 0


async def test_stop_waits_for_a_settlement_its_cancelled_purchase_left_running(sessionmaker):
    service = SettlesAfterTheGrace(sessionmaker)
    config = dataclasses.replace(FAST, shutdown_grace_s=0.01, recheck_interval_s=None)
    clock = FixedClock(datetime(2026, 11, 27, 10, tzinfo=UTC))
    worker = Worker(service, None, wakeup=LocalWakeUp(), clock=clock, config=config)  # type: ignore[arg-type]
    worker.start()
    await eventually(_started(service), what="the settlement to start")
    await worker.stop()  # the grace lapses at once: the vend is cancelled, not its batch
    assert service.settled


def _started(service: SettlesAfterTheGrace) -> Any:
    async def check() -> bool:
        return service.settling is not None

    return check
