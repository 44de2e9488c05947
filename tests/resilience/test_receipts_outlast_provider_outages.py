"""Africa's Talking and the Telegram Bot API down for a while, just as purchases settle.

AT answers 503 to every send; the Bot API is not there at all (connection refused). Receipts
settled meanwhile wait in the outbox, each tried and failed at least once, and go out when
their provider is back: every one sent, exactly once, on its own channel (no SMS fallback for
a chat receipt that only had to wait).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.store.tables import outbox_table
from tests.fixtures.fake_bot_api import User
from tests.resilience.audit import audit, wait_all_final, wait_receipts_sent
from tests.resilience.cluster import Cluster, running_cluster
from tests.resilience.handsets import DELIVERS, FAILS, PIN, RECEIVED, buy_airtime, handset
from tests.resilience.processes import wait_until
from tests.telegram.chat import Chat

FUNDED_NAIRA = 10_000
LATENCY_S = 4.0  # every VTPass answer: nothing settles before the providers are down
FELT_WITHIN_S = 60.0  # settled, and each receipt's first try failed (the lanes look every few s)
# after the first failed try a receipt waits the lane's first backoff (15 s), then goes
SENT_WITHIN_S = 60.0


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    async with running_cluster(tmp_path, telegram=True) as made:
        yield made


async def telegram_airtime(chat: Chat, naira: int) -> str:
    """Airtime for the linked number, by buttons, the amount and PIN typed; the last screen."""
    for button in ("Airtime", "My number", "MTN"):
        await chat.tap(button)
    await chat.say(str(naira))
    await chat.say(PIN)
    return chat.screen


async def receipts(cluster: Cluster) -> list[object]:
    o = outbox_table.c
    async with cluster.db() as session:
        return list(
            await session.execute(
                select(o.channel, o.status, o.attempts).where(o.purchase_id.is_not(None))
            )
        )


@pytest.mark.timeout(240)
async def test_receipts_wait_out_provider_outages_and_go_once(cluster, alternating):
    buyers = [DELIVERS, *FAILS[:2]]
    for phone in buyers:
        await cluster.customer(phone, FUNDED_NAIRA, PIN)
    ada = Chat(cluster.bot_api, User(4242, "Ada"))
    await ada.link("+234" + DELIVERS[1:])
    await cluster.sim("latency", {"seconds": LATENCY_S})

    phones = [handset(alternating, n) for n in buyers]
    *answers, in_chat = await asyncio.gather(
        *(buy_airtime(p, 100 + 50 * i) for i, p in enumerate(phones)),
        telegram_airtime(ada, 500),
    )
    assert all(a.startswith(RECEIVED) for a in answers), answers
    assert "Request received" in in_chat, ada.transcript

    cluster.fake_at.outage = True  # 503 to every send
    await cluster.bot_server.stop()  # connection refused
    await wait_all_final(cluster, FELT_WITHIN_S)

    async def every_receipt_failed_once() -> bool:
        rows = await receipts(cluster)
        return len(rows) == len(buyers) + 1 and all(
            r.status == "queued" and r.attempts >= 1 for r in rows
        )

    await wait_until(every_receipt_failed_once, FELT_WITHIN_S, "failed tries", cluster.logs)
    assert {r.channel for r in await receipts(cluster)} == {"sms", "telegram"}

    cluster.fake_at.outage = False
    await cluster.bot_server.start()
    await wait_receipts_sent(cluster, SENT_WITHIN_S)
    settled = await audit(cluster, dict.fromkeys(buyers, FUNDED_NAIRA * 100))
    assert settled.purchases == len(buyers) + 1
    assert all(r.attempts >= 2 for r in await receipts(cluster))
