"""Post-delivery checks: a delivered purchase is asked about once more, when its time comes.

On a delivered purchase `next_requery_at` means "requery once more then" (set at delivery, see
`PurchasePolicy.delivered_recheck_s`), so the sweep finds due checks through the
(status, next_requery_at) index. Claiming clears it in the same transaction (`FOR UPDATE SKIP
LOCKED`: workers take disjoint sets), so each check runs once; the requery's audit row
(op "recheck") records that it ran.
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
    session: AsyncSession, *, now: datetime, limit: int = 100
) -> list[tuple[int, str]]:
    """(id, request_id) of up to `limit` delivered purchases whose check is due, now taken."""
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
            .values(next_requery_at=None)
        )
    return [(purchase_id, request_id) for purchase_id, request_id in rows]


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
