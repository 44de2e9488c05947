"""Leases and the heartbeat: a dead worker's purchases are requeried within one short lease, a
live worker's are never taken from it, and neither ever gets a second `/pay`.

The worker claims with a 30 s lease (`PurchasePolicy.vend_lease_s`) and its heartbeat renews
the leases of everything it holds. The gateway and the simulator share one `FixedClock`, so
"30 s later" is a clock move; the simulator's latency keeps a `/pay` in flight in real time.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from functools import partial

import pytest

from gateway.domain.purchase_status import PurchaseStatus
from gateway.purchases.service import PurchaseService
from gateway.store import purchases as store
from gateway.worker.runner import WorkerConfig
from tests.purchases.conftest import airtime, funded_user
from tests.worker.harness import FAST, Harness, N, electricity, eventually

DELIVERED = {PurchaseStatus.DELIVERED}
BEATING = dataclasses.replace(FAST, heartbeat_interval_s=0.05)
LEASE_S = 30
SLOW_PAY = [{"vtpass_pay_read_timeout_s": 10.0, "vtpass_read_timeout_s": 10.0}]


async def claimed_by(harness: Harness, purchase_id: int, worker: str):
    async def check():
        current = await harness.service.get(purchase_id)
        return current if current.vend_claimed_by == worker else None

    return await eventually(check, what=f"purchase {purchase_id} to be claimed by {worker}")


async def paid(harness: Harness, request_id: str) -> None:
    async def check() -> bool:
        return harness.transport.pays[request_id] == 1

    await eventually(check, what=f"the /pay of {request_id} to leave")


@pytest.mark.parametrize("gateway_overrides", SLOW_PAY)
async def test_a_live_workers_purchase_is_not_stolen_however_long_vtpass_takes(pg_harness):
    harness = pg_harness
    await harness.sim("latency", {"seconds": 2.0})
    alive = harness.worker("alive", BEATING)
    alive.start()
    thief = harness.worker("thief")
    try:
        user_id = await harness.fund(10_000)
        purchase = await harness.submit(user_id, electricity(), "k1")
        claimed = await claimed_by(harness, purchase.id, "alive")
        assert claimed.vend_claimed_until == harness.clock.now() + timedelta(seconds=LEASE_S)

        for _ in range(3):  # 75 s on the clock: far past the lease it was claimed with
            harness.clock.advance(25)
            renewed = harness.clock.now() + timedelta(seconds=LEASE_S)
            await eventually(partial(_lease_is, harness, purchase.id, renewed), what="a beat")
            assert await thief.run_due() == 0

        done = await harness.wait_status(purchase.id, DELIVERED)
    finally:
        await alive.stop()
    assert done.vend_claimed_by is None
    assert harness.transport.pays[purchase.request_id] == 1
    assert harness.transport.requeries[purchase.request_id] == 0
    await harness.reconciled()


@pytest.mark.parametrize("gateway_overrides", SLOW_PAY)
async def test_a_killed_workers_pay_is_found_delivered_by_the_next_workers_requery(pg_harness):
    harness = pg_harness
    await harness.sim("latency", {"seconds": 1.0})
    killed = harness.worker("killed", BEATING)
    killed.start()
    user_id = await harness.fund(10_000)
    purchase = await harness.submit(user_id, electricity(), "k1")
    rid = purchase.request_id
    await paid(harness, rid)
    await asyncio.sleep(0.3)  # the request is at VTPass, its answer a while away

    await killed.abort()  # its connection drops while VTPass is still working on the /pay
    await harness.sim("latency", {"seconds": 0})
    await eventually(lambda: _stored(harness, rid), what="VTPass to finish the abandoned /pay")
    successor = harness.worker("successor", BEATING)
    successor.start()
    try:
        await harness.make_due(LEASE_S - 1)
        await asyncio.sleep(0.2)
        assert (await harness.service.get(purchase.id)).vend_claimed_by == "killed"
        await harness.make_due(2)  # the lease nobody renews has lapsed
        done = await harness.wait_status(purchase.id, DELIVERED)
    finally:
        await successor.stop()

    assert done.token is not None
    assert harness.transport.pays[rid] == 1  # requeried, never paid again
    assert harness.transport.requeries[rid] >= 1
    assert [t["request_id"] for t in await harness.sim_transactions()] == [rid]
    pays = (await harness.control.get("__sim/pay-requests")).json()["pay_requests"]
    assert pays == {rid: 1}  # what VTPass itself saw: one /pay
    assert await harness.wallet() == 10_000 * N - done.total
    await harness.reconciled()


async def test_the_heartbeat_renews_only_the_leases_its_worker_still_holds(
    service, sessionmaker, clock
):
    user_id = await funded_user(service, 5_000)
    kept = (await service.submit(user_id, airtime(100), idempotency_key="a")).purchase
    lost = (await service.submit(user_id, airtime(100), idempotency_key="b")).purchase
    await service.claim_batch()
    clock.advance(LEASE_S + 1)  # this worker stalled; its leases lapsed
    other = PurchaseService(sessionmaker, clock, worker_id="other")
    async with sessionmaker.begin() as session:  # another worker takes one of them over
        taken = await store.claim_for_requery(
            session,
            lost.id,
            worker="other",
            now=clock.now(),
            lease_until=clock.now() + timedelta(seconds=LEASE_S),
        )
    assert taken is not None

    assert await service.extend_leases([kept.id, lost.id]) == 1

    assert (await service.get(kept.id)).vend_claimed_until == clock.now() + timedelta(
        seconds=LEASE_S
    )
    assert (await service.get(lost.id)).vend_claimed_by == "other"
    assert await other.extend_leases([kept.id]) == 0


async def test_a_heartbeat_too_slow_to_keep_a_lease_alive_is_refused(pg_harness):
    with pytest.raises(ValueError, match="heartbeat_interval_s"):
        pg_harness.worker("w1", WorkerConfig(heartbeat_interval_s=LEASE_S))


async def _stored(harness: Harness, request_id: str) -> bool:
    return any(t["request_id"] == request_id for t in await harness.sim_transactions())


async def _lease_is(harness: Harness, purchase_id: int, until) -> bool:
    return (await harness.service.get(purchase_id)).vend_claimed_until == until
