"""Every Postgres connection of the cluster terminated (`pg_terminate_backend`), idle and then
again and again under load: a hop caught on a dead connection gets an apology (`END Sorry,
...`), readiness may say 503 for a moment, and the same processes serve again, no restart,
nothing lost.

Only the cluster's own sessions are terminated: its children connect under an
`application_name` of their own, to a database of their own (the server is shared).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.resilience.audit import audit, purchase_rows, wait_all_final, wait_receipts_sent
from tests.resilience.handsets import DELIVERS, FAILS, PIN, RECEIVED, handset
from tests.resilience.processes import wait_until

FUNDED_NAIRA = 10_000
JOURNEYS = 6
KILL_ROUNDS = 5
KILL_EVERY_S = 0.5
LATENCY_S = 0.5  # /pay calls are out while connections die
APOLOGY = "END Sorry, "  # "something went wrong", "we cannot serve you right now", ...
RECOVERED_WITHIN_S = 20.0
RECOVERED = 4  # purchases after the blip, each redialled up to REDIALS times
REDIALS = 3


async def journey(phone, naira: int) -> str:
    """Airtime for the handset's own number, hop by hop, stopping at the first `END`."""
    await phone.dial()
    for entered in ("1", "1", "1", str(naira), PIN):
        if phone.ended:
            break
        await phone.send(entered)
    return phone.last


async def buy_redialling(phone, naira: int) -> list[str]:
    """Airtime, dialling again after an apology, as a customer would; every last answer.
    On DELIVERS only: a second try after a purchase was made is no 019 "duplicate" there."""
    answers = [await journey(phone, naira)]
    while answers[-1].startswith(APOLOGY) and len(answers) < REDIALS:
        answers.append(await journey(phone, naira))
    return answers


async def readiness_after_a_blip(cluster, gateway: int) -> list[int]:
    """Every /readyz answer of `gateway` until it says 200 again."""
    seen: list[int] = []

    async def ready() -> bool:
        seen.append(await cluster.readyz(gateway))
        return seen[-1] == 200

    await wait_until(ready, RECOVERED_WITHIN_S, f"gateway {gateway} ready", cluster.logs)
    return seen


@pytest.mark.timeout(240)
async def test_killed_db_connections_cost_a_hop_not_a_restart(cluster, alternating):
    buyers = [DELIVERS, *FAILS[: JOURNEYS // 2]]
    for phone in buyers:
        await cluster.customer(phone, FUNDED_NAIRA, PIN)

    # idle: the next check on each gateway meets a dead connection, then a fresh one
    assert await cluster.terminate_backends() >= 1
    for gateway in range(len(cluster.gateways)):
        seen = await readiness_after_a_blip(cluster, gateway)
        assert set(seen) <= {503, 200}, seen

    # under load: USSD journeys on both gateways, /pay calls out, the workers settling
    await cluster.sim("latency", {"seconds": LATENCY_S})
    numbers = [DELIVERS if i % 2 == 0 else FAILS[i // 2] for i in range(JOURNEYS)]
    phones = [handset(alternating, n) for n in numbers]
    load = asyncio.gather(*(journey(p, 100 + 50 * i) for i, p in enumerate(phones)))
    killed = 0
    for _ in range(KILL_ROUNDS):
        await asyncio.sleep(KILL_EVERY_S)
        killed += await cluster.terminate_backends()
    answers = await load
    assert killed >= KILL_ROUNDS
    assert all(a.startswith((RECEIVED, APOLOGY)) for a in answers), answers

    # the same processes, serving again
    for gateway in range(len(cluster.gateways)):
        await readiness_after_a_blip(cluster, gateway)
    assert all(c.running and c.starts == 1 for c in [*cluster.gateways, *cluster.workers])
    before = len(await purchase_rows(cluster))
    # a connection killed after a process last noticed a dead one sits in its pool until used
    # (no pre-ping), so the first request to meet it there may still get the apology
    again = await asyncio.gather(
        *(buy_redialling(handset(alternating, DELIVERS), 300) for _ in range(RECOVERED))
    )
    assert all(a[-1].startswith(RECEIVED) for a in again), again
    assert sum(len(a) - 1 for a in again) <= len(cluster.gateways), again
    assert len(await purchase_rows(cluster)) >= before + RECOVERED

    await wait_all_final(cluster, 60)
    await wait_receipts_sent(cluster, 30)
    settled = await audit(cluster, dict.fromkeys(buyers, FUNDED_NAIRA * 100))
    assert settled.purchases >= RECOVERED
