"""The outbox as a queue: claim due messages under a lease, record what the provider said.

The worker never holds a transaction or a row lock while a provider (Africa's Talking, the Bot
API) answers: a claim is one short statement (`queued` -> `sending`, `lease_until`, attempts
+ 1; `FOR UPDATE SKIP LOCKED` on Postgres so workers take disjoint batches) committed before
anything is sent, and the results are written in another short transaction. A lease that
lapses (the worker died between claim and record) makes the message due again: nothing is
lost, and at most the one send in flight at the crash is repeated.

A result is written only while its claim still holds (`status = 'sending'` and the same
`lease_until`): a worker that stalled past its lease cannot overwrite the outcome of the
worker that took the message over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.outbox import OutboxMessage
from gateway.store.tables import outbox_table

C = outbox_table.c


def _due(now: Any) -> Any:
    queued = and_(C.status == "queued", or_(C.next_attempt_at.is_(None), C.next_attempt_at <= now))
    lapsed = and_(C.status == "sending", or_(C.lease_until.is_(None), C.lease_until < now))
    return or_(queued, lapsed)


_NOW = bindparam("b_now", type_=C.next_attempt_at.type)
_DUE_IDS = (
    select(C.id)
    .where(C.channel == bindparam("b_channel"), _due(_NOW))
    .order_by(C.id)
    .limit(bindparam("b_limit"))
    .with_for_update(skip_locked=True)  # Postgres; SQLite serialises writers anyway
    .scalar_subquery()
)
_CLAIM = (
    update(outbox_table)
    .where(C.id.in_(_DUE_IDS))
    .values(
        status="sending",
        lease_until=bindparam("b_until", type_=C.lease_until.type),
        attempts=C.attempts + 1,
    )
    .returning(*outbox_table.c)
)


async def claim_due(
    session: AsyncSession, *, channel: str, now: datetime, lease_until: datetime, limit: int
) -> list[OutboxMessage]:
    """Lease up to `limit` due messages of `channel`, oldest first; commit before sending.

    Due: queued with `next_attempt_at` reached, or `sending` under a lapsed lease. The
    returned messages carry their new `attempts` (this attempt included) and `lease_until`.
    """
    if limit <= 0:
        return []
    params = {"b_channel": channel, "b_now": now, "b_until": lease_until, "b_limit": limit}
    rows = (await session.execute(_CLAIM, params)).mappings().all()
    return sorted((OutboxMessage.of_mapping(row) for row in rows), key=lambda m: m.id)


@dataclass(frozen=True, slots=True)
class SendRecord:
    """The outcome of one claimed message, as the worker writes it back."""

    message_id: int
    lease_until: datetime  # the claim it answers for
    status: str  # sent, queued (a retry at `next_attempt_at`) or failed
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None
    provider_message_id: str | None = None
    provider_status_code: int | None = None
    provider_status: str | None = None
    provider_cost: str | None = None
    last_error: str | None = None

    def params(self) -> dict[str, object]:
        return {
            "m_id": self.message_id,
            "m_lease": self.lease_until,
            "v_status": self.status,
            "v_sent_at": self.sent_at,
            "v_next": self.next_attempt_at,
            "v_pid": _clip(self.provider_message_id, 100),
            "v_code": self.provider_status_code,
            "v_pstatus": _clip(self.provider_status, 32),
            "v_cost": _clip(self.provider_cost, 32),
            "v_error": _clip(self.last_error, 255),
        }


def _clip(value: str | None, length: int) -> str | None:
    return None if value is None else value[:length]


_RECORD = (
    outbox_table.update()
    .where(
        C.id == bindparam("m_id"),
        C.status == "sending",
        C.lease_until == bindparam("m_lease", type_=C.lease_until.type),
    )
    .values(
        status=bindparam("v_status"),
        sent_at=bindparam("v_sent_at", type_=C.sent_at.type),
        next_attempt_at=bindparam("v_next", type_=C.next_attempt_at.type),
        provider_message_id=bindparam("v_pid"),
        provider_status_code=bindparam("v_code", type_=C.provider_status_code.type),
        provider_status=bindparam("v_pstatus"),
        provider_cost=bindparam("v_cost"),
        last_error=bindparam("v_error"),
        lease_until=None,
    )
)


async def record(session: AsyncSession, records: Sequence[SendRecord]) -> None:
    """Write outcomes in one executemany; one whose claim lapsed and was taken is skipped."""
    if records:
        await session.execute(_RECORD, [r.params() for r in records])


async def lock_sent_by_provider_id(
    session: AsyncSession, channel: str, provider_message_id: str
) -> list[OutboxMessage]:
    """The sent messages with this provider id, locked for a delivery-status update."""
    rows = await session.execute(
        select(outbox_table)
        .where(
            C.channel == channel,
            C.provider_message_id == provider_message_id,
            C.status == "sent",
        )
        .limit(2)  # one is expected; two means the id is ambiguous
        .with_for_update()
    )
    return [OutboxMessage.of_mapping(row) for row in rows.mappings()]


async def set_delivery(
    session: AsyncSession,
    message_id: int,
    *,
    status: str,
    failure_reason: str | None,
    at: datetime,
) -> None:
    await session.execute(
        outbox_table.update()
        .where(C.id == message_id)
        .values(
            delivery_status=status[:32],
            delivery_failure_reason=_clip(failure_reason, 64),
            delivery_updated_at=at,
        )
    )
