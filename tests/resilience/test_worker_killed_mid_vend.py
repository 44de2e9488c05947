"""Two gateways, two workers, a faulty slow VTPass, and a worker SIGKILLed mid-vend.

USSD sessions hop between the two `paylink serve` processes on every request; the simulator
answers every call late and some `/pay` calls wrongly (an HTTP 500 over a delivered purchase,
a "processing" answer) as a seeded random draw; while `/pay` calls are in flight the worker
holding most of them is killed with SIGKILL and started again. Nothing may be lost or done
twice: every purchase ends settled once, with one `/pay` per request id, one receipt each.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import select

from gateway.store.tables import purchases_table
from tests.resilience.audit import audit, wait_all_final, wait_receipts_sent
from tests.resilience.handsets import DELIVERS, FAILS, RECEIVED, buy_airtime, handset
from tests.resilience.processes import wait_until

LATENCY_S = 2.0  # every VTPass answer: the kill lands while /pay calls are out
FAULTS = (
    {"code": "083"},  # HTTP 500, although VTPass delivered it
    {"code": "099"},  # "processing": pending at VTPass, final a second later
    {"code": "083", "store_as": "failed"},  # HTTP 500 over a failed purchase
)
# the dead worker's leases (30 s) lapse, then a requery (30 s after /pay at the latest) settles
SETTLED_WITHIN_S = 80.0
JOURNEYS = 6
FUNDED_NAIRA = 10_000


async def claims(cluster, pid: int) -> int:
    async with cluster.db() as session:
        held = await session.scalars(
            select(purchases_table.c.id).where(
                purchases_table.c.vend_claimed_by.like(f"%:{pid}:%"),
                purchases_table.c.status == "pending",
            )
        )
        return len(held.all())


@pytest.mark.timeout(150)
async def test_sessions_alternate_gateways_and_a_killed_worker_loses_nothing(cluster, alternating):
    buyers = [DELIVERS, *FAILS]
    for phone in buyers:
        await cluster.customer(phone, FUNDED_NAIRA, "2580")
    draw = random.Random(18005)
    for _ in range(JOURNEYS // 2):
        await cluster.sim("next-pay", draw.choice(FAULTS))
    await cluster.sim("latency", {"seconds": LATENCY_S})

    phones = [handset(alternating, buyers[i % len(buyers)]) for i in range(JOURNEYS)]
    answers = await asyncio.gather(*(buy_airtime(p, 100 + 50 * i) for i, p in enumerate(phones)))
    assert all(a.startswith(RECEIVED) for a in answers), answers
    # every session's hops went to both gateways, one after the other
    for phone in phones:
        assert len(phone.transcript) == 6
    assert alternating.sent_to[:2] in ([0, 1], [1, 0])
    assert set(alternating.sent_to) == {0, 1}

    async def a_worker_mid_vend():
        held = [(await claims(cluster, w.pid), w) for w in cluster.workers]
        busiest = max(held, key=lambda pair: pair[0])
        return busiest if busiest[0] else None

    held, victim = await wait_until(a_worker_mid_vend, 30, "a worker to claim", cluster.logs)
    victim.kill()
    await cluster.sim("latency", {"seconds": 0.2})
    await asyncio.sleep(1.0)
    victim.start()

    await wait_all_final(cluster, SETTLED_WITHIN_S)
    await wait_receipts_sent(cluster, 30)
    settled = await audit(cluster, dict.fromkeys(buyers, FUNDED_NAIRA * 100))
    assert held >= 1
    assert settled.purchases == JOURNEYS
    assert settled.delivered >= 1
    assert settled.failed >= 1
