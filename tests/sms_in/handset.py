"""A fake Africa's Talking SMS gateway for one handset (channels.md F2, inbound side).

`Handset.text` posts AT's incoming-message form (`from`, `to`, `text`, `date`, `id`, `linkId`,
`networkCode`) to the gateway over real HTTP and returns what the gateway queued for the phone
in answer (read from the outbox, where every SMS leaves from). Every answer is checked the way
a handset would see it: GSM-7 only, at most two concatenated parts (306 septets). `resend`
delivers the last message again under the same `id`, as AT does after a timeout.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.gsm7 import ALPHABET, septets
from gateway.phones import normalize_phone
from gateway.store import outbox
from gateway.store.outbox import OutboxMessage

ROUTE = "/sms/africastalking/inbound"
TWO_PARTS = 306
_IDS = itertools.count(1)


def check_sms(body: str) -> str:
    assert septets(body) <= TWO_PARTS, (septets(body), body)
    bad = [ch for ch in body if ch not in ALPHABET]
    assert not bad, (bad, body)
    return body


def form(number: str, text: str, message_id: str) -> dict[str, str]:
    return {
        "from": normalize_phone(number),
        "to": "34788",
        "text": text,
        "date": "2026-12-07 10:00:00",
        "id": message_id,
        "linkId": "",
        "networkCode": "62130",
    }


@dataclass
class Handset:
    client: httpx.AsyncClient  # base_url = the gateway
    db: async_sessionmaker[AsyncSession]
    number: str = "08031234567"
    route: str = ROUTE
    seen: int = 0  # the newest outbox id already read
    last_id: str = ""
    sent: list[str] = field(default_factory=list)

    @property
    def e164(self) -> str:
        return normalize_phone(self.number)

    async def post(self, text: str, message_id: str | None = None) -> httpx.Response:
        if self.seen == 0:  # what was queued before the first text (a credit notice) is old
            await self.inbox()
        self.last_id = message_id or f"ATXid_{next(_IDS):08d}"
        self.sent.append(text)
        response = await self.client.post(self.route, data=form(self.number, text, self.last_id))
        assert response.status_code == 200, (response.status_code, response.text)
        return response

    async def text(self, text: str) -> str | None:
        """Send `text`; the one reply queued for it (None if none)."""
        await self.post(text)
        replies = await self.replies()
        assert len(replies) <= 1, replies
        return replies[0] if replies else None

    async def resend(self) -> list[str]:
        """AT delivers the last message again, same id; what was queued for it."""
        await self.post(self.sent[-1], self.last_id)
        return await self.replies()

    async def replies(self) -> list[str]:
        """Answers to texts queued since the last look (receipts, which name a purchase, and
        the worker's other notices are left out)."""
        return [m.body for m in await self.inbox() if m.purchase_id is None]

    async def inbox(self) -> list[OutboxMessage]:
        """Messages queued to this phone since the last look, oldest first (checked)."""
        async with self.db() as session:
            found = await outbox.recent(session, phone=self.e164, limit=50)
        fresh = sorted((m for m in found if m.id > self.seen), key=lambda m: m.id)
        if fresh:
            self.seen = fresh[-1].id
        for message in fresh:
            check_sms(message.body)
        return fresh
