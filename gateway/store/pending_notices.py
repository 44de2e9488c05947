"""Purchases pending for long, taken for their one "still confirming" SMS.

A purchase still open (initiated or pending) some minutes after it was submitted gets one
notice. Taking marks `pending_notice_at` in the caller's transaction, which also queues the
message: both commit or neither does, so a restart never sends it twice, and workers take
disjoint sets (`FOR UPDATE SKIP LOCKED`; the `IS NULL` guard on the update for SQLite).
A buyer who texted STOP is marked too (so the notice is never owed again) but gets no SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.purchase_status import OPEN_STATUSES
from gateway.store.purchases import PurchaseRecord
from gateway.store.tables import User, purchases_table

P = purchases_table.c
_U = User.__table__.c
_OPEN = sorted(status.value for status in OPEN_STATUSES)
_BUYER_PHONE = select(_U.phone).where(_U.id == P.user_id).scalar_subquery().label("buyer_phone")
_BUYER_NOTICES = (
    select(_U.sms_notices).where(_U.id == P.user_id).scalar_subquery().label("buyer_notices")
)


@dataclass(frozen=True, slots=True)
class LongPending:
    """A purchase taken for its notice; `notify`: its buyer still takes notices (no STOP)."""

    purchase: PurchaseRecord
    notify: bool


async def take_long_pending(
    session: AsyncSession, *, submitted_before: datetime, now: datetime, limit: int = 100
) -> list[LongPending]:
    """Up to `limit` open purchases submitted at or before `submitted_before` that have had no
    notice, marked noticed at `now`; each with its buyer's phone (where the notice goes) and
    whether the buyer takes notices."""
    candidates = (
        select(P.id)
        .where(
            P.status.in_(_OPEN),
            P.pending_notice_at.is_(None),
            P.created_at <= submitted_before,
        )
        .order_by(P.created_at, P.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await session.scalars(candidates)).all())
    if not ids:
        return []
    taken = (
        purchases_table.update()
        .where(P.id.in_(ids), P.status.in_(_OPEN), P.pending_notice_at.is_(None))
        .values(pending_notice_at=now)
        .returning(*purchases_table.columns, _BUYER_PHONE, _BUYER_NOTICES)
    )
    rows = (await session.execute(taken)).mappings().all()
    found = [
        LongPending(PurchaseRecord.of(row, row["buyer_phone"]), row["buyer_notices"] is not False)
        for row in rows
    ]
    return sorted(found, key=lambda item: item.purchase.id)
