"""Post-delivery checks: a delivered purchase is asked about once more, when its time comes.

On a delivered purchase `next_requery_at` means "requery once more then" (set at delivery, see
`PurchasePolicy.delivered_recheck_s`), so the sweep finds due checks through the
(status, next_requery_at) index. Claiming takes a check under a lease in the same transaction
(`FOR UPDATE SKIP LOCKED`: workers take disjoint sets): its time moves to the lease's end, and
`finish_check` clears it once the check has run. So each check runs once, and one whose worker
died before asking VTPass (the only way a lost reversal would otherwise go unrefunded) falls
due again when its lease ends; the requery's audit row (op "recheck") records each run.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.purchase_status import PurchaseStatus
from gateway.store.tables import purchases_table

P = purchases_table.c
_DELIVERED = PurchaseStatus.DELIVERED.value


async def claim_due_checks(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int = 100
) -> list[tuple[int, str]]:
    """(id, request_id) of up to `limit` delivered purchases whose check is due, now taken
    until `lease_until` (then due again, unless `finish_check` cleared it)."""
    rows = (
        await session.execute(
            select(P.id, P.request_id)
            .where(P.status == _DELIVERED, P.next_requery_at <= now)
            .order_by(P.next_requery_at, P.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    ids = [purchase_id for purchase_id, _ in rows]
    if ids:
        await session.execute(
            purchases_table.update()
            .where(P.id.in_(ids), P.status == _DELIVERED)
            .values(next_requery_at=lease_until)
        )
    return [(purchase_id, request_id) for purchase_id, request_id in rows]


async def finish_check(session: AsyncSession, purchase_id: int, *, lease_until: datetime) -> None:
    """The check taken until `lease_until` has run: no more checks, unless one was scheduled
    meanwhile (an earlier time) or the purchase is no longer delivered (nothing to clear)."""
    await session.execute(
        purchases_table.update()
        .where(
            P.id == purchase_id,
            P.status == _DELIVERED,
            P.next_requery_at >= lease_until,
        )
        .values(next_requery_at=None)
    )


async def schedule_check(session: AsyncSession, purchase_id: int, *, at: datetime) -> bool:
    """Check a delivered purchase again at `at` (an earlier check already due stays earlier);
    False when the purchase is not delivered (nothing left to find)."""
    result = await session.execute(
        purchases_table.update()
        .where(
            P.id == purchase_id,
            P.status == _DELIVERED,
            or_(P.next_requery_at.is_(None), P.next_requery_at > at),
        )
        .values(next_requery_at=at)
    )
    return bool(getattr(result, "rowcount", 0))
