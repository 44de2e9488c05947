"""The notifications outbox: receipts are written with the money, sent later by the worker.

Writing the receipt in the settlement's own transaction means an electricity token can never
be lost between "delivered" and "texted": either both happened or neither did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.tables import Outbox, outbox_table

# built once: a receipt is queued with every settlement
_ENQUEUE = outbox_table.insert().returning(outbox_table.c.id)
_ENQUEUE_MANY = outbox_table.insert()


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    user_id: int | None
    phone: str
    channel: str
    body: str
    status: str
    attempts: int
    purchase_id: int | None
    provider_message_id: str | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: Outbox) -> OutboxMessage:
        return cls(
            id=row.id,
            user_id=row.user_id,
            phone=row.phone,
            channel=row.channel,
            body=row.body,
            status=row.status,
            attempts=row.attempts,
            purchase_id=row.purchase_id,
            provider_message_id=row.provider_message_id,
            created_at=row.created_at,
            sent_at=row.sent_at,
        )


async def enqueue(
    session: AsyncSession,
    *,
    phone: str,
    body: str,
    at: datetime,
    channel: str = "sms",
    user_id: int | None = None,
    purchase_id: int | None = None,
) -> int:
    """Queue a message in the caller's transaction; returns its id."""
    message = NewMessage(phone, body, channel, user_id, purchase_id)
    message_id: int = (await session.execute(_ENQUEUE, _row(message, at))).scalar_one()
    return message_id


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to queue with `enqueue_many`."""

    phone: str
    body: str
    channel: str = "sms"
    user_id: int | None = None
    purchase_id: int | None = None


async def enqueue_many(
    session: AsyncSession, messages: Sequence[NewMessage], *, at: datetime
) -> None:
    """Queue many messages in the caller's transaction, in one statement."""
    if messages:
        await session.execute(_ENQUEUE_MANY, [_row(message, at) for message in messages])


def _row(message: NewMessage, at: datetime) -> dict[str, object]:
    return {
        "phone": message.phone,
        "body": message.body,
        "channel": message.channel,
        "user_id": message.user_id,
        "purchase_id": message.purchase_id,
        "status": "queued",
        "created_at": at,
    }


async def recent(
    session: AsyncSession, *, phone: str | None = None, limit: int = 20
) -> list[OutboxMessage]:
    """Messages newest first, optionally for one phone (`paylink outbox`)."""
    query = select(Outbox)
    if phone is not None:
        query = query.where(Outbox.phone == phone)
    rows = await session.execute(query.order_by(Outbox.id.desc()).limit(limit))
    return [OutboxMessage.of(row) for row in rows.scalars()]


async def for_purchase(session: AsyncSession, purchase_id: int) -> list[OutboxMessage]:
    rows = await session.execute(
        select(Outbox).where(Outbox.purchase_id == purchase_id).order_by(Outbox.id)
    )
    return [OutboxMessage.of(row) for row in rows.scalars()]


async def claim_queued(session: AsyncSession, *, limit: int = 50) -> list[OutboxMessage]:
    """Lock up to `limit` queued messages for sending (`SKIP LOCKED` on Postgres)."""
    rows = await session.execute(
        select(Outbox)
        .where(Outbox.status == "queued")
        .order_by(Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [OutboxMessage.of(row) for row in rows.scalars()]


async def mark_sent(
    session: AsyncSession, message_id: int, *, at: datetime, provider_message_id: str | None
) -> None:
    await session.execute(
        update(Outbox)
        .where(Outbox.id == message_id)
        .values(
            status="sent",
            sent_at=at,
            provider_message_id=provider_message_id,
            attempts=Outbox.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )


async def mark_failed(
    session: AsyncSession, message_id: int, *, error: str, give_up: bool = False
) -> None:
    """Record a failed send; the message stays queued for a retry unless `give_up`."""
    await session.execute(
        update(Outbox)
        .where(Outbox.id == message_id)
        .values(
            status="failed" if give_up else "queued",
            last_error=error[:255],
            attempts=Outbox.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
