"""The running worker sends the pending-for-long notice on its own, after the configured time.

End to end: the gateway app (settings -> purchase policy), the real simulator leaving a
purchase pending, and the worker's recheck loop on the shared clock.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from gateway.domain.purchase_status import PurchaseStatus
from gateway.vtpass.simulator import SimulatorConfig
from tests.worker.harness import FAST, electricity, eventually

PENDING_METER = "201000000000"  # the simulator answers "pending"


@pytest.fixture
def sim_config(sim_config: SimulatorConfig) -> SimulatorConfig:
    """A pending purchase stays pending however far the clock moves (VTPass slow to confirm)."""
    return dataclasses.replace(sim_config, pending_resolve_after_s=None)


@pytest.mark.parametrize("gateway_overrides", [{"pending_notice_after_s": 300.0}])
async def test_the_worker_texts_once_when_a_purchase_stays_pending(harness):
    # the app's purchase service: its policy comes from the settings
    worker = harness.worker(config=dataclasses.replace(FAST, recheck_interval_s=0.05))
    worker.start()
    try:
        user_id = await harness.fund(10_000)
        purchase = await harness.submit(user_id, electricity(PENDING_METER), "k1")
        await harness.wait_pending(purchase.id)
        harness.clock.advance(299)
        await harness.make_due(1)

        async def noticed():
            messages = await harness.outbox(purchase.id)
            return [m for m in messages if "still confirming" in m.body]

        (notice,) = await eventually(noticed, what="the pending-for-long notice")
        harness.clock.advance(3600)
        await harness.make_due(1)
        await asyncio.sleep(0.3)  # several more sweeps
    finally:
        await worker.stop()

    assert notice.phone == "+2348031234567"
    assert (await harness.service.get(purchase.id)).status is PurchaseStatus.PENDING
    assert len(await noticed()) == 1
