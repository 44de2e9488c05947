"""Sending the notifications outbox: a `Notifier` port and the log-only sender.

Receipts are written to the outbox with the money (see `gateway.store.outbox`); this module
moves them on. Until the SMS and Telegram channels land, and on the embedded default, "sent"
means logged (phone masked, body left out) and marked sent with `provider_message_id = "log"`, so
`paylink outbox` shows what a customer would have received.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.logs import mask_msisdn
from gateway.store import outbox
from gateway.store.outbox import OutboxMessage
from gateway.store.tables import outbox_table

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 5


class Notifier(Protocol):
    """Delivers one outbox message (SMS via Africa's Talking, Telegram, or just the log)."""

    async def send(self, message: OutboxMessage) -> str | None:
        """Send it; return the provider's message id. Raise to leave it queued for a retry."""
        ...


class LogNotifier:
    """The embedded default's "SMS": a log line per message, and the text stays in the outbox.

    The body is never logged: receipts carry electricity tokens and exam PINs, and OTP messages
    carry codes. `paylink outbox` shows the text to whoever may read it.
    """

    provider_id = "log"

    async def send(self, message: OutboxMessage) -> str | None:
        logger.info(
            "outbox #%d to %s (%s): %d characters, read it with `paylink outbox`",
            message.id,
            mask_msisdn(message.phone),
            message.channel,
            len(message.body),
        )
        return self.provider_id


@dataclass(frozen=True, slots=True)
class OutboxRun:
    sent: int
    failed: int

    @property
    def handled(self) -> int:
        return self.sent + self.failed


async def send_queued(
    sessionmaker: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    clock: Clock,
    *,
    limit: int = 200,
) -> OutboxRun:
    """Send up to `limit` queued messages, oldest first, and record each result.

    The batch's rows stay locked (`SKIP LOCKED`) until their results are written, so two
    workers never send one message; sends within the batch run concurrently.
    """
    async with sessionmaker.begin() as session:
        batch = await outbox.claim_queued(session, limit=limit)
        if not batch:
            return OutboxRun(0, 0)
        results = await asyncio.gather(
            *(notifier.send(message) for message in batch), return_exceptions=True
        )
        now = clock.now()
        sent = [
            {"message_id": message.id, "provider_id": result}
            for message, result in zip(batch, results, strict=True)
            if not isinstance(result, BaseException)
        ]
        if sent:
            await _mark_sent(session, sent, now)
        failed = 0
        for message, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result  # cancelled: the transaction rolls back, all stay queued
                failed += 1
                give_up = message.attempts + 1 >= MAX_SEND_ATTEMPTS
                logger.warning(
                    "outbox #%d to %s failed (%s)%s",
                    message.id,
                    mask_msisdn(message.phone),
                    result,
                    "; giving up" if give_up else "",
                )
                await outbox.mark_failed(session, message.id, error=str(result), give_up=give_up)
    return OutboxRun(len(sent), failed)


async def _mark_sent(
    session: AsyncSession, rows: Sequence[Mapping[str, object]], now: datetime
) -> None:
    # one Core executemany instead of a round trip per message
    table = outbox_table
    statement = (
        table.update()
        .where(table.c.id == bindparam("message_id"))
        .values(
            status="sent",
            sent_at=now,
            provider_message_id=bindparam("provider_id"),
            attempts=table.c.attempts + 1,
        )
    )
    await session.execute(statement, rows)
