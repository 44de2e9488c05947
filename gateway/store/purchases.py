"""Purchase rows: insert, read, and compare-and-set updates that two workers cannot both win.

Every status change is `UPDATE … WHERE id = :id AND status IN (:expected) RETURNING …`: on
Postgres the loser blocks on the row lock, then re-checks the WHERE against the winner's row
and matches nothing; on SQLite `BEGIN IMMEDIATE` runs the two one after the other.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.purchase_status import OPEN_STATUSES, PurchaseStatus
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
    reference: str  # customer-facing, `PL-…`; the request id is VTPass's and may change
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
    vtpass_amount: int | None = None  # what VTPass reported it charged, once delivered
    pending_notice_at: datetime | None = None  # the pending-for-long SMS was queued then
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
_FIND_BY_KEY = select(*_RETURNING).where(
    P.user_id == bindparam("user_id"), P.idempotency_key == bindparam("key")
)
_AUDIT = audit_table.insert()
_INSERT_MANY = purchases_table.insert().returning(*_RETURNING, sort_by_parameter_order=True)
# the idempotency keys already taken, then each user's spend since `since`, in one query
_KEYS_AND_SPENT = union_all(
    select(P.user_id, P.idempotency_key, P.id, cast(null(), BigInteger)).where(
        P.user_id.in_(bindparam("user_ids", expanding=True)),
        P.idempotency_key.in_(bindparam("keys", expanding=True)),
    ),
    select(P.user_id, cast(null(), String), cast(null(), BigInteger), func.sum(P.total))
    .where(
        P.user_id.in_(bindparam("user_ids", expanding=True)),
        P.created_at >= bindparam("since", type_=P.created_at.type),
        P.status.not_in([PurchaseStatus.FAILED.value, PurchaseStatus.REVERSED.value]),
    )
    .group_by(P.user_id),
)
_LOCK_MANY = (
    select(*_RETURNING, _USERS.phone.label("buyer_phone"))
    .join_from(purchases_table, User.__table__, _USERS.id == P.user_id)
    .where(P.id.in_(bindparam("ids", expanding=True)))
    .order_by(P.id)
    .with_for_update(of=purchases_table)
)


async def insert_purchases(
    session: AsyncSession, rows: Sequence[Mapping[str, Any]]
) -> list[PurchaseRecord]:
    """Insert purchase rows in one statement; records in the order given.

    A reused (user, idempotency key) raises `IntegrityError` for the whole statement.
    """
    if not rows:
        return []
    result = await session.execute(_INSERT_MANY, [dict(row) for row in rows])
    return [PurchaseRecord.of(row) for row in result.mappings()]


async def get(session: AsyncSession, purchase_id: int) -> PurchaseRecord | None:
    """A purchase with its buyer's phone (where receipts go)."""
    row = (await session.execute(_GET, {"purchase_id": purchase_id})).mappings().first()
    return None if row is None else PurchaseRecord.of(row, row["buyer_phone"])


async def get_by_request_id(session: AsyncSession, request_id: str) -> PurchaseRecord | None:
    """The purchase VTPass knows as `request_id` (webhooks name purchases this way)."""
    purchase_id = await session.scalar(select(P.id).where(P.request_id == request_id))
    return None if purchase_id is None else await get(session, purchase_id)


async def get_by_reference(session: AsyncSession, reference: str) -> PurchaseRecord | None:
    """The purchase the customer knows as `reference` (`PL-…`), with its buyer's phone."""
    purchase_id = await session.scalar(select(P.id).where(P.reference == reference))
    return None if purchase_id is None else await get(session, purchase_id)


async def find_by_key(session: AsyncSession, user_id: int, key: str) -> PurchaseRecord | None:
    found = await session.execute(_FIND_BY_KEY, {"user_id": user_id, "key": key})
    row = found.mappings().first()
    return None if row is None else PurchaseRecord.of(row)


async def keys_and_spent(
    session: AsyncSession, keys: Collection[tuple[int, str]], since: datetime
) -> tuple[dict[tuple[int, str], int], dict[int, int]]:
    """For these (user id, idempotency key) pairs, in one round trip: the purchase ids that
    already hold a pair, and each user's spend since `since` (refunded ones excluded; users
    with nothing spent are left out)."""
    if not keys:
        return {}, {}
    params = {
        "user_ids": sorted({user_id for user_id, _ in keys}),
        "keys": sorted({key for _, key in keys}),
        "since": since,
    }
    taken: dict[tuple[int, str], int] = {}
    spent: dict[int, int] = {}
    wanted = set(keys)
    for user_id, key, purchase_id, total in await session.execute(_KEYS_AND_SPENT, params):
        if key is None:
            spent[user_id] = int(total or 0)
        elif (user_id, key) in wanted:
            taken[(user_id, key)] = purchase_id
    return taken, spent


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


async def lock_many(session: AsyncSession, ids: Collection[int]) -> dict[int, PurchaseRecord]:
    """Lock purchases (in id order) for the rest of the transaction and read them.

    Settlement decides under these locks, so its compare-and-set is the check in Python
    plus `update_many`'s `status = :was` guard: nobody can change a locked row before COMMIT.
    """
    if not ids:
        return {}
    rows = await session.execute(_LOCK_MANY, {"ids": sorted(ids)})
    return {row["id"]: PurchaseRecord.of(row, row["buyer_phone"]) for row in rows.mappings()}


@dataclass(frozen=True, slots=True)
class RowUpdate:
    """New column values for one purchase that was in status `was` when locked."""

    purchase_id: int
    was: PurchaseStatus
    values: Mapping[str, Any]


async def update_many(session: AsyncSession, updates: Sequence[RowUpdate]) -> None:
    """Apply updates to purchases this transaction locked: one statement per set of columns.

    Raises:
        RuntimeError: a row was not in its expected status (the caller did not hold its lock);
            the caller's transaction must roll back.
    """
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for update in updates:
        columns = tuple(sorted(update.values))
        params = {f"v_{name}": value for name, value in update.values.items()}
        params |= {"b_id": update.purchase_id, "b_was": update.was.value}
        shapes.setdefault(columns, []).append(params)
    dialect = session.get_bind().dialect
    for columns, rows in shapes.items():
        result = await session.execute(_update_statement(columns), rows)
        matched = getattr(result, "rowcount", -1)
        sane = dialect.supports_sane_multi_rowcount if len(rows) > 1 else True
        if sane and matched not in (-1, len(rows)):
            raise RuntimeError(f"update_many matched {matched} of {len(rows)} purchases")


@functools.lru_cache(maxsize=64)
def _update_statement(columns: tuple[str, ...]) -> Any:
    return (
        purchases_table.update()
        .where(P.id == bindparam("b_id"), P.status == bindparam("b_was"))
        .values({name: bindparam(f"v_{name}", type_=P[name].type) for name in columns})
    )


def claim_is_free(now: datetime, worker: str | None = None) -> Any:
    """No live lease on the row (none, expired, or already `worker`'s own)."""
    free = or_(P.vend_claimed_until.is_(None), P.vend_claimed_until < now)
    return free if worker is None else or_(free, P.vend_claimed_by == worker)


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


# Rows are locked in id order and a row locked elsewhere (being settled right now) is skipped:
# the heartbeat never waits, so it cannot deadlock with a settle batch locking in id order.
_STILL_HELD = (
    select(P.id)
    .where(
        P.id.in_(bindparam("ids", expanding=True)),
        P.vend_claimed_by == bindparam("worker"),
    )
    .order_by(P.id)
    .with_for_update(skip_locked=True)
)
_EXTEND_LEASES = (
    purchases_table.update()
    .where(P.id.in_(_STILL_HELD))
    .values(vend_claimed_until=bindparam("until", type_=P.vend_claimed_until.type))
)


async def extend_leases(
    session: AsyncSession, ids: Collection[int], *, worker: str, lease_until: datetime
) -> int:
    """The heartbeat: push `worker`'s leases on these purchases to `lease_until`, in one
    statement (by primary key); returns how many it still held.

    A purchase settled meanwhile (its lease dropped) or taken over by another worker after
    this one's lease lapsed is left alone: a heartbeat never takes a lease back. One being
    settled at this instant is skipped (its settlement drops the lease anyway).
    """
    if not ids:
        return 0
    params = {"ids": sorted(ids), "worker": worker, "until": lease_until}
    result = await session.execute(_EXTEND_LEASES, params)
    return int(getattr(result, "rowcount", 0) or 0)


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


async def _lock_due(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[tuple[int, PurchaseStatus]]:
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
    return [(purchase_id, PurchaseStatus(status)) for purchase_id, status in due]


async def claim_due_for_vend(
    session: AsyncSession, *, now: datetime, worker: str, lease_until: datetime, limit: int = 100
) -> list[tuple[PurchaseRecord, PurchaseStatus]]:
    """Lease up to `limit` due purchases to `worker`, and claim each initiated one for `/pay`.

    `FOR UPDATE SKIP LOCKED` lets many workers sweep at once without waiting on each other;
    the lease makes a crashed worker's purchases due again once it expires. Returns
    (purchase as claimed, status it was due in). An initiated purchase comes back pending
    (initiated -> pending before `/pay` leaves, so nobody can ever send it a second time),
    leased, `pay_sent_at` set: only its claimant may send its one `/pay`; if that
    claimant dies first, the requery sweep finds VTPass never saw it and, after
    `unsent_grace_s`, makes it initiated again (same request_id). Pending ones are only leased.

    Each row is updated once: Postgres re-checks a row's foreign keys when a transaction
    updates a row version it wrote itself, and those checks' `KEY SHARE` locks on wallets,
    taken in no fixed order, could deadlock with a batch of submits locking them in order.
    """
    due = await _lock_due(session, now=now, limit=limit)
    lease = {"vend_claimed_by": worker, "vend_claimed_until": lease_until, "updated_at": now}
    to_vend = [pid for pid, status in due if status is PurchaseStatus.INITIATED]
    requery = [pid for pid, status in due if status is PurchaseStatus.PENDING]
    claimed: list[tuple[PurchaseRecord, PurchaseStatus]] = []
    if to_vend:
        rows = await session.execute(
            _UPDATE.where(P.id.in_(to_vend), P.status == PurchaseStatus.INITIATED.value).values(
                status=PurchaseStatus.PENDING.value,
                pay_sent_at=now,
                next_requery_at=lease_until,
                **lease,
            )
        )
        claimed += [
            (PurchaseRecord.of(row, row["buyer_phone"]), PurchaseStatus.INITIATED)
            for row in rows.mappings()
        ]
    if requery:
        rows = await session.execute(_UPDATE.where(P.id.in_(requery)).values(**lease))
        claimed += [
            (PurchaseRecord.of(row, row["buyer_phone"]), PurchaseStatus.PENDING)
            for row in rows.mappings()
        ]
    return claimed


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One VTPass exchange for `add_audits` (callers remove secrets)."""

    purchase_id: int
    at: datetime
    op: str
    outcome: str | None = None
    http_status: int | None = None
    request: Mapping[str, Any] | None = None
    response: Mapping[str, Any] | None = None


async def add_audits(session: AsyncSession, entries: Sequence[AuditEntry]) -> None:
    """`add_audit` for many exchanges, in one statement."""
    if entries:
        await session.execute(
            _AUDIT,
            [
                {
                    "purchase_id": e.purchase_id,
                    "at": e.at,
                    "op": e.op,
                    "outcome": e.outcome,
                    "http_status": e.http_status,
                    "request": dict(e.request) if e.request is not None else None,
                    "response": dict(e.response) if e.response is not None else None,
                }
                for e in entries
            ],
        )


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
    entry = AuditEntry(purchase_id, at, op, outcome, http_status, request, response)
    await add_audits(session, [entry])


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
