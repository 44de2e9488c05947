"""The cluster's Redis killed and started again, empty, in the middle of USSD journeys.

Redis holds only conversation state: losing it may cost a customer a redial, never money. While
it is down every hop gets a polite `END` (no 5xx, no traceback) and readiness says 503; once it
is back the gateways serve again without a restart, a session whose state was lost picks up from
AT's own input history (stopping before the PIN, never taking one from a replay), and the
purchases made before, during and after all add up.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.resilience.audit import audit, purchase_rows, wait_all_final, wait_receipts_sent
from tests.resilience.handsets import DELIVERS, FAILS, PIN, RECEIVED, buy_airtime, handset
from tests.resilience.processes import wait_until

FUNDED_NAIRA = 10_000
SORRY = "END Sorry, something went wrong. Please dial again."
ASKS_PIN = "Enter PIN to pay:"
SWITCHOVER_S = 20.0  # readiness notices Redis gone, or back, within this


async def to_pin_prompt(phone, naira: int) -> str:
    """Airtime for the handset's own number, up to (not including) the PIN."""
    await phone.dial()
    return await phone.send("1", "1", "1", str(naira))


async def readiness_is(cluster, status: int) -> None:
    async def every_gateway() -> bool:
        answers = [await cluster.readyz(i) for i in range(len(cluster.gateway_urls))]
        return all(a == status for a in answers)

    await wait_until(every_gateway, SWITCHOVER_S, f"every /readyz to be {status}", cluster.logs)


def friendly(answer: str) -> bool:
    return answer.startswith("END ") and "Traceback" not in answer and "Error" not in answer


@pytest.mark.timeout(240)
async def test_redis_restart_costs_a_redial_not_money(cluster, alternating):
    buyers = [DELIVERS, *FAILS[:2]]
    for phone in buyers:
        await cluster.customer(phone, FUNDED_NAIRA, PIN)
    before, during, lost, fresh = (handset(alternating, n) for n in (*buyers, DELIVERS))
    prompts = await asyncio.gather(
        to_pin_prompt(before, 100), to_pin_prompt(during, 150), to_pin_prompt(lost, 200)
    )
    assert all(p.startswith("CON ") and ASKS_PIN in p for p in prompts), prompts
    assert (await before.send(PIN)).startswith(RECEIVED)

    cluster.redis.kill()
    await readiness_is(cluster, 503)
    # the PIN hop of a session whose state is out of reach, and a dial: a polite END each
    assert await during.send(PIN) == SORRY
    assert friendly(await fresh.dial()), fresh.last
    assert len(await purchase_rows(cluster)) == 1

    await cluster.redis.start()  # same port, nothing in it
    await readiness_is(cluster, 200)
    # the lost session starts over from AT's history and stops before the PIN it carries
    again = await lost.send(PIN)
    assert again.startswith("CON "), lost.transcript
    assert ASKS_PIN in again, lost.transcript
    assert len(await purchase_rows(cluster)) == 1
    assert (await lost.send(PIN)).startswith(RECEIVED)
    # the customer cut off mid-way redials and buys; so does a newcomer to the restarted Redis
    assert (await buy_airtime(during, 150)).startswith(RECEIVED)
    assert (await buy_airtime(fresh, 250)).startswith(RECEIVED)

    await wait_all_final(cluster, 60)
    await wait_receipts_sent(cluster, 30)
    settled = await audit(cluster, dict.fromkeys(buyers, FUNDED_NAIRA * 100))
    assert settled.purchases == 4
    assert settled.delivered == 2  # DELIVERS bought twice; the FAILS numbers were refunded
