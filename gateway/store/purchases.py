"""Purchase rows: insert, read, and compare-and-set updates that two workers cannot both win.

Every status change is `UPDATE … WHERE id = :id AND status IN (:expected) RETURNING …`: on
Postgres the loser blocks on the row lock, then re-checks the WHERE against the winner's row
and matches nothing; on SQLite `BEGIN IMMEDIATE` runs the two one after the other.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.purchases.statuses import OPEN_STATUSES, PurchaseStatus
from gateway.store.tables import PurchaseAudit, User, audit_table, purchases_table


@dataclass(frozen=True, slots=True)
class PurchaseRecord:
    """A purchase as read from the database, detached from any session."""

    id: int
    user_id: int
    account_id: int
    channel: str
    category: str
    service_id: str
    product: str
    customer_ref: str | None
    variation_code: str | None
    options: Mapping[str, str]
    phone: str
    quantity: int
    face_amount: int
    fee: int
    discount: int
    total: int
    status: PurchaseStatus
    needs_review: bool
    request_id: str
    idempotency_key: str
    request_hash: str
    vtpass_transaction_id: str | None
    vtpass_code: str | None
    failure_reason: str | None
    token: str | None
    units: str | None
    pins: tuple[str, ...]
    attempts: int
    next_requery_at: datetime | None
    vend_claimed_by: str | None
    vend_claimed_until: datetime | None
    pay_sent_at: datetime | None
    created_at: datetime
    updated_at: datetime
    settled_at: datetime | None
    buyer_phone: str | None = field(default=None, compare=False)  # only from `get`

    @property
    def unit_amount(self) -> int:
        return self.face_amount // self.quantity

    @classmethod
    def of(cls, row: Mapping[Any, Any], buyer_phone: str | None = None) -> PurchaseRecord:
        values = {name: row[name] for name in _COLUMNS}
        values["status"] = PurchaseStatus(values["status"])
        values["needs_review"] = bool(values["needs_review"])
        values["options"] = dict(values["options"] or {})
        values["pins"] = tuple(values["pins"] or ())
        return cls(**values, buyer_phone=buyer_phone)


P = purchases_table.c
_COLUMNS = tuple(column.name for column in purchases_table.columns)
_RETURNING = tuple(purchases_table.columns)
_USERS = User.__table__.c

# Hot statements are built once: constructing a statement with 36 RETURNING columns, and its
# cache key, costs more Python than running it; a prebuilt one memoizes both.
_INSERT = purchases_table.insert().returning(*_RETURNING)
# updates also return the buyer's phone (where receipts go), so settling after a claim
# needs no second read
_BUYER_PHONE = (
    select(_USERS.phone).where(_USERS.id == P.user_id).scalar_subquery().label("buyer_phone")
)
_UPDATE = purchases_table.update().returning(*_RETURNING, _BUYER_PHONE)
_GET = (
    select(*_RETURNING, _USERS.phone.label("buyer_phone"))
    .join_from(purchases_table, User.__table__, _USERS.id == P.user_id)
    .where(P.id == bindparam("purchase_id"))
)
_GET_MANY = (
    select(*_RETURNING, _USERS.phone.label("buyer_phone"))
    .join_from(purchases_table, User.__table__, _USERS.id == P.user_id)
    .where(P.id.in_(bindparam("ids", expanding=True)))
)
_FIND_BY_KEY = select(*_RETURNING).where(
    P.user_id == bindparam("user_id"), P.idempotency_key == bindparam("key")
)
_SPENT_SINCE = select(func.coalesce(func.sum(P.total), 0)).where(
    P.user_id == bindparam("user_id"),
    P.created_at >= bindparam("since", type_=P.created_at.type),
    P.status.not_in([PurchaseStatus.FAILED.value, PurchaseStatus.REVERSED.value]),
)
_AUDIT = audit_table.insert()


async def insert_purchase(session: AsyncSession, values: Mapping[str, Any]) -> PurchaseRecord:
    """Insert a purchase row; a reused (user, idempotency key) raises `IntegrityError`."""
    row = (await session.execute(_INSERT, dict(values))).mappings().one()
    return PurchaseRecord.of(row)


async def get(session: AsyncSession, purchase_id: int) -> PurchaseRecord | None:
    """A purchase with its buyer's phone (where receipts go)."""
    row = (await session.execute(_GET, {"purchase_id": purchase_id})).mappings().first()
    return None if row is None else PurchaseRecord.of(row, row["buyer_phone"])


async def get_by_request_id(session: AsyncSession, request_id: str) -> PurchaseRecord | None:
    """The purchase VTPass knows as `request_id` (webhooks name purchases this way)."""
    purchase_id = await session.scalar(select(P.id).where(P.request_id == request_id))
    return None if purchase_id is None else await get(session, purchase_id)


async def find_by_key(session: AsyncSession, user_id: int, key: str) -> PurchaseRecord | None:
    found = await session.execute(_FIND_BY_KEY, {"user_id": user_id, "key": key})
    row = found.mappings().first()
    return None if row is None else PurchaseRecord.of(row)


_KEY_AND_SPENT = select(
    select(P.id)
    .where(P.user_id == bindparam("user_id"), P.idempotency_key == bindparam("key"))
    .scalar_subquery(),
    _SPENT_SINCE.scalar_subquery(),
)


async def key_and_spent(
    session: AsyncSession, user_id: int, key: str, since: datetime
) -> tuple[PurchaseRecord | None, int]:
    """`find_by_key` and `spent_since` in one round trip (submit runs both under the lock)."""
    params = {"user_id": user_id, "key": key, "since": since}
    existing_id, spent = (await session.execute(_KEY_AND_SPENT, params)).one()
    if existing_id is None:
        return None, int(spent or 0)
    return await find_by_key(session, user_id, key), int(spent or 0)


async def spent_since(session: AsyncSession, user_id: int, since: datetime) -> int:
    """Kobo the user committed to purchases since `since`, refunded ones excluded."""
    total = await session.scalar(_SPENT_SINCE, {"user_id": user_id, "since": since})
    return int(total or 0)


async def transition(
    session: AsyncSession,
    purchase_id: int,
    expected: Collection[PurchaseStatus],
    values: Mapping[str, Any],
    *,
    extra_where: Sequence[Any] = (),
) -> PurchaseRecord | None:
    """Compare-and-set: apply `values` only if the status is still one of `expected`.

    Returns the updated purchase, or None when another writer got there first.
    """
    row = (
        (
            await session.execute(
                _UPDATE.where(
                    P.id == purchase_id,
                    P.status.in_([str(status) for status in expected]),
                    *extra_where,
                ).values(**values)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else PurchaseRecord.of(row, row["buyer_phone"])


def claim_is_free(now: datetime, worker: str | None = None) -> Any:
    """No live lease on the row (none, expired, or already `worker`'s own)."""
    free = or_(P.vend_claimed_until.is_(None), P.vend_claimed_until < now)
    return free if worker is None else or_(free, P.vend_claimed_by == worker)


async def claim_for_vend(
    session: AsyncSession, purchase_id: int, *, worker: str, now: datetime, lease_until: datetime
) -> PurchaseRecord | None:
    """initiated -> pending before `/pay` leaves, so nobody can ever send it a second time.

    From here on only a requery may find out what happened; if this worker dies mid-call the
    lease (and `next_requery_at`) expire and the sweep requeries.
    """
    return await transition(
        session,
        purchase_id,
        {PurchaseStatus.INITIATED},
        {
            "status": PurchaseStatus.PENDING,
            "vend_claimed_by": worker,
            "vend_claimed_until": lease_until,
            "pay_sent_at": now,
            "next_requery_at": lease_until,
            "updated_at": now,
        },
        extra_where=[claim_is_free(now, worker)],
    )


async def release_unsent(
    session: AsyncSession, purchase_id: int, *, worker: str, now: datetime, retry_at: datetime
) -> PurchaseRecord | None:
    """pending -> initiated: the `/pay` provably never left, so it may be sent again later."""
    return await transition(
        session,
        purchase_id,
        {PurchaseStatus.PENDING},
        {
            "status": PurchaseStatus.INITIATED,
            "vend_claimed_by": None,
            "vend_claimed_until": None,
            "pay_sent_at": None,
            "next_requery_at": retry_at,
            "attempts": P.attempts + 1,
            "updated_at": now,
        },
        extra_where=[P.vend_claimed_by == worker],
    )


async def claim_for_requery(
    session: AsyncSession, purchase_id: int, *, worker: str, now: datetime, lease_until: datetime
) -> PurchaseRecord | None:
    """Lease a pending purchase for one requery, so two workers do not ask at once."""
    return await transition(
        session,
        purchase_id,
        {PurchaseStatus.PENDING},
        {"vend_claimed_by": worker, "vend_claimed_until": lease_until, "updated_at": now},
        extra_where=[claim_is_free(now, worker)],
    )


async def release_claim(
    session: AsyncSession, purchase_id: int, *, worker: str, now: datetime, retry_at: datetime
) -> PurchaseRecord | None:
    """Give up `worker`'s lease on an open purchase and make it due again at `retry_at`."""
    return await transition(
        session,
        purchase_id,
        OPEN_STATUSES,
        {
            "vend_claimed_by": None,
            "vend_claimed_until": None,
            "next_requery_at": retry_at,
            "updated_at": now,
        },
        extra_where=[P.vend_claimed_by == worker],
    )


async def claim_due(
    session: AsyncSession, *, now: datetime, worker: str, lease_until: datetime, limit: int = 100
) -> list[tuple[int, PurchaseStatus]]:
    """Lease up to `limit` open purchases that are due (to vend or to requery) to `worker`.

    `FOR UPDATE SKIP LOCKED` lets many workers sweep at once without waiting on each other;
    SQLite (one writer at a time) simply ignores it. The lease makes a crashed worker's
    purchases due again once it expires.
    """
    due = (
        await session.execute(
            select(P.id, P.status)
            .where(
                or_(
                    and_(
                        P.status == PurchaseStatus.INITIATED,
                        or_(P.next_requery_at.is_(None), P.next_requery_at <= now),
                    ),
                    # a pending purchase without a requery time is flagged for an operator
                    and_(
                        P.status == PurchaseStatus.PENDING,
                        P.next_requery_at <= now,
                    ),
                ),
                claim_is_free(now),
            )
            .order_by(P.next_requery_at.nulls_first(), P.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    ids = [purchase_id for purchase_id, _ in due]
    if ids:
        await session.execute(
            purchases_table.update()
            .where(P.id.in_(ids))
            .values(vend_claimed_by=worker, vend_claimed_until=lease_until)
        )
    return [(purchase_id, PurchaseStatus(status)) for purchase_id, status in due]


async def claim_due_for_vend(
    session: AsyncSession, *, now: datetime, worker: str, lease_until: datetime, limit: int = 100
) -> list[tuple[PurchaseRecord, PurchaseStatus]]:
    """`claim_due`, and in the same statement the `claim_for_vend` of each initiated one.

    Returns (purchase as claimed, status it was due in). An initiated purchase comes back
    pending, leased, `pay_sent_at` set: only its claimant may send its one `/pay`; if that
    claimant dies first, the requery sweep finds VTPass never saw it and, after
    `unsent_grace_s`, makes it initiated again (same request_id). Pending ones are only leased.
    """
    due = await claim_due(session, now=now, worker=worker, lease_until=lease_until, limit=limit)
    if not due:
        return []
    was = dict(due)
    to_vend = [pid for pid, status in due if status is PurchaseStatus.INITIATED]
    claimed: list[tuple[PurchaseRecord, PurchaseStatus]] = []
    if to_vend:
        rows = await session.execute(
            _UPDATE.where(P.id.in_(to_vend), P.status == PurchaseStatus.INITIATED.value).values(
                status=PurchaseStatus.PENDING,
                pay_sent_at=now,
                next_requery_at=lease_until,
                updated_at=now,
            )
        )
        for row in rows.mappings():
            claimed.append((PurchaseRecord.of(row, row["buyer_phone"]), was[row["id"]]))
    requery = [pid for pid, status in due if status is PurchaseStatus.PENDING]
    if requery:
        rows = await session.execute(_GET_MANY, {"ids": requery})
        claimed += [
            (PurchaseRecord.of(row, row["buyer_phone"]), PurchaseStatus.PENDING)
            for row in rows.mappings()
        ]
    return claimed


async def add_audit(
    session: AsyncSession,
    *,
    purchase_id: int,
    at: datetime,
    op: str,
    outcome: str | None = None,
    http_status: int | None = None,
    request: Mapping[str, Any] | None = None,
    response: Mapping[str, Any] | None = None,
) -> None:
    """Append one VTPass exchange to the purchase's audit trail (callers remove secrets)."""
    await session.execute(
        _AUDIT,
        {
            "purchase_id": purchase_id,
            "at": at,
            "op": op,
            "outcome": outcome,
            "http_status": http_status,
            "request": dict(request) if request is not None else None,
            "response": dict(response) if response is not None else None,
        },
    )


async def audit_trail(session: AsyncSession, purchase_id: int) -> list[PurchaseAudit]:
    rows = await session.execute(
        select(PurchaseAudit)
        .where(PurchaseAudit.purchase_id == purchase_id)
        .order_by(PurchaseAudit.id)
    )
    return list(rows.scalars())


async def list_for_user(
    session: AsyncSession, user_id: int, *, limit: int = 20, before_id: int | None = None
) -> list[PurchaseRecord]:
    """A user's purchases, newest first (keyset pagination on id)."""
    query = select(*_RETURNING).where(P.user_id == user_id)
    if before_id is not None:
        query = query.where(P.id < before_id)
    rows = await session.execute(query.order_by(P.id.desc()).limit(limit))
    return [PurchaseRecord.of(row) for row in rows.mappings()]


async def release_worker_claims(
    session: AsyncSession, *, worker: str, now: datetime, requery_at: datetime
) -> int:
    """Drop every lease `worker` still holds (graceful shutdown); returns how many.

    An initiated purchase keeps its schedule (its `/pay` never left). A pending one may have a
    `/pay` in flight, so it is only made due for a requery at `requery_at`, never sent again.
    """
    result = await session.execute(
        purchases_table.update()
        .where(
            P.vend_claimed_by == worker,
            P.status.in_([str(status) for status in OPEN_STATUSES]),
        )
        .values(
            vend_claimed_by=None,
            vend_claimed_until=None,
            next_requery_at=case(
                (P.status == PurchaseStatus.PENDING.value, requery_at),
                else_=P.next_requery_at,
            ),
            updated_at=now,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def list_open(
    session: AsyncSession,
    *,
    status: PurchaseStatus = PurchaseStatus.PENDING,
    sent_before: datetime | None = None,
    limit: int = 1000,
) -> list[PurchaseRecord]:
    """Open purchases in `status`, oldest first, whatever their schedule or review flag.

    For operators (`paylink requery`, `paylink reconcile`), who settle them now;
    `sent_before` keeps only those whose `/pay` (or, unsent, whose creation) is that old.
    """
    query = select(*_RETURNING).where(P.status == status.value)
    if sent_before is not None:
        query = query.where(func.coalesce(P.pay_sent_at, P.created_at) <= sent_before)
    rows = await session.execute(query.order_by(P.id).limit(limit))
    return [PurchaseRecord.of(row) for row in rows.mappings()]


async def count_by_status(session: AsyncSession) -> dict[PurchaseStatus, int]:
    """How many purchases are in each status (operator reports)."""
    rows = await session.execute(select(P.status, func.count()).group_by(P.status))
    return {PurchaseStatus(status): int(count) for status, count in rows}
