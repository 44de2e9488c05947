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
from sqlalchemy import func, select

from gateway.domain.purchase_status import PurchaseStatus
from gateway.store.tables import purchases_table
from tests.resilience.audit import audit, wait_all_final, wait_receipts_sent
from tests.resilience.handsets import DELIVERS, FAILS, RECEIVED, buy_airtime, handset
from tests.resilience.processes import wait_until

LATENCY_S = 3.0  # every VTPass answer: the kill lands while /pay calls are out
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
    """How many purchases worker `pid` holds mid-/pay: 0 unless every purchase has been claimed
    (no later claim can land) and VTPass has each of its /pays (one killed before it left would
    wait out `unsent_grace_s` instead, another story), their answers still held back."""
    p = purchases_table.c
    async with cluster.db() as session:
        unclaimed = await session.scalar(
            select(func.count()).where(p.status == PurchaseStatus.INITIATED)
        )
        held = (
            await session.scalars(
                select(p.request_id).where(
                    p.vend_claimed_by.like(f"%:{pid}:%"), p.status == PurchaseStatus.PENDING
                )
            )
        ).all()
    arrived = (await cluster.control.get("__sim/pay-requests")).json()["pay_requests"]
    return len(held) if unclaimed == 0 and all(r in arrived for r in held) else 0


@pytest.mark.timeout(240)
async def test_sessions_alternate_gateways_and_a_killed_worker_loses_nothing(cluster, alternating):
    buyers = [DELIVERS, *FAILS[: JOURNEYS // 2]]
    for phone in buyers:
        await cluster.customer(phone, FUNDED_NAIRA, "2580")
    draw = random.Random(18005)
    for _ in range(JOURNEYS // 2):
        await cluster.sim("next-pay", draw.choice(FAULTS))
    await cluster.sim("latency", {"seconds": LATENCY_S})

    # every other journey delivers (one number); each of the others fails on a number of its own
    numbers = [DELIVERS if i % 2 == 0 else FAILS[i // 2] for i in range(JOURNEYS)]
    phones = [handset(alternating, n) for n in numbers]
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
