"""The notifications outbox: receipts are written with the money, sent later by the worker.

Writing the receipt in the settlement's own transaction means an electricity token can never
be lost between "delivered" and "texted": either both happened or neither did. This module
writes and reads messages; the worker's claim, lease and results are `gateway.store.outbox_queue`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
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
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    provider_status_code: int | None = None
    provider_status: str | None = None
    provider_cost: str | None = None
    delivery_status: str | None = None
    delivery_failure_reason: str | None = None
    delivery_updated_at: datetime | None = None

    @classmethod
    def of(cls, row: Outbox) -> OutboxMessage:
        return cls(**{name: getattr(row, name) for name in _FIELDS})

    @classmethod
    def of_mapping(cls, row: Mapping[Any, Any]) -> OutboxMessage:
        """From a Core result row (`RETURNING`), whose values the column types already read."""
        return cls(**{name: row[name] for name in _FIELDS})


_FIELDS = tuple(field.name for field in fields(OutboxMessage))


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
        "next_attempt_at": at,  # due at once
    }


async def recent(
    session: AsyncSession,
    *,
    phone: str | None = None,
    status: str | None = None,
    limit: int = 20,
) -> list[OutboxMessage]:
    """Messages newest first, optionally for one phone or in one status (`paylink outbox`)."""
    query = select(Outbox)
    if phone is not None:
        query = query.where(Outbox.phone == phone)
    if status is not None:
        query = query.where(Outbox.status == status)
    rows = await session.execute(query.order_by(Outbox.id.desc()).limit(limit))
    return [OutboxMessage.of(row) for row in rows.scalars()]


async def get(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    row = await session.get(Outbox, message_id)
    return None if row is None else OutboxMessage.of(row)


async def for_purchase(session: AsyncSession, purchase_id: int) -> list[OutboxMessage]:
    rows = await session.execute(
        select(Outbox).where(Outbox.purchase_id == purchase_id).order_by(Outbox.id)
    )
    return [OutboxMessage.of(row) for row in rows.scalars()]
