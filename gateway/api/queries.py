"""Read-only queries behind the API's paginated lists, always scoped to one owner.

Every query takes the owner (user id or wallet account id) as a parameter and puts it in the
WHERE clause, so a foreign id simply matches nothing: 404, never someone else's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.purchase_status import OPEN_STATUSES, PurchaseStatus
from gateway.store import ledger
from gateway.store.ledger import StatementLine
from gateway.store.purchases import PurchaseRecord
from gateway.store.tables import Entry, accounts_table, purchases_table

T = TypeVar("T")
P = purchases_table.c
_PURCHASE_COLUMNS = tuple(purchases_table.columns)
# money that left the wallet and stayed out: failed and reversed purchases were refunded
PAID_STATUSES = tuple(sorted(s.value for s in (*OPEN_STATUSES, PurchaseStatus.DELIVERED)))
ORDER_COLUMNS = {"created_at": P.created_at, "amount": P.total, "status": P.status, "id": P.id}


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    status: str | None = None
    category: str | None = None
    service_id: str | None = None
    customer_ref: str | None = None
    reference: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        wanted: list[ColumnElement[bool]] = []
        for column, value in (
            (P.status, self.status),
            (P.category, self.category),
            (P.service_id, self.service_id),
            (P.customer_ref, self.customer_ref),
            (P.reference, self.reference),
        ):
            if value is not None:
                wanted.append(column == value)
        if self.created_from is not None:
            wanted.append(P.created_at >= self.created_from)
        if self.created_to is not None:
            wanted.append(P.created_at < self.created_to)
        return wanted


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    total_amount: int = 0


def _order(ordering: str) -> list[Any]:
    descending = ordering.startswith("-")
    column = ORDER_COLUMNS[ordering.lstrip("-")]
    tie = P.id.desc() if descending else P.id.asc()
    return [column.desc() if descending else column.asc(), tie]


async def transactions(
    session: AsyncSession,
    user_id: int,
    where: TransactionFilter,
    *,
    ordering: str,
    offset: int,
    limit: int,
) -> Page[PurchaseRecord]:
    """One page of a user's purchases, with the count of all matches and what they paid."""
    clauses = [P.user_id == user_id, *where.clauses()]
    paid = case((P.status.in_(PAID_STATUSES), P.total), else_=0)
    count, amount = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(paid), 0))
            .select_from(purchases_table)
            .where(*clauses)
        )
    ).one()
    rows = await session.execute(
        select(*_PURCHASE_COLUMNS)
        .where(*clauses)
        .order_by(*_order(ordering))
        .offset(offset)
        .limit(limit)
    )
    items = [PurchaseRecord.of(row) for row in rows.mappings()]
    return Page(items, int(count), int(amount or 0))


async def transaction(
    session: AsyncSession, user_id: int, purchase_id: int
) -> PurchaseRecord | None:
    """The purchase if it is `user_id`'s, else None (whether or not it exists)."""
    row = (
        (
            await session.execute(
                select(*_PURCHASE_COLUMNS).where(P.id == purchase_id, P.user_id == user_id)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else PurchaseRecord.of(row)


async def statement(
    session: AsyncSession, account_id: int, *, offset: int, limit: int
) -> Page[StatementLine]:
    """One page of a wallet's ledger lines, newest first."""
    total = await session.scalar(
        select(func.count()).select_from(Entry).where(Entry.account_id == account_id)
    )
    items = await ledger.statement(session, account_id, limit, offset=offset)
    return Page(items, int(total or 0))


async def wallet_balance(session: AsyncSession, account_id: int) -> int:
    """The wallet's cached balance: updated with every posting under the wallet's row lock,
    so it always equals the entries' sum (which `reconcile` checks), at one row read."""
    value = await session.scalar(
        select(accounts_table.c.balance).where(accounts_table.c.id == account_id)
    )
    return int(value or 0)
