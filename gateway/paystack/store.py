"""The SQL of wallet funding: fundings, webhook events, dedicated accounts (Core statements).

Every "once" here is a unique constraint, never a read-then-write: a funding's reference, an
event's key, a user's dedicated account, and (in `crediting`) the credit journal's reference.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, case, cast, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clock import LAGOS
from gateway.store.tables import (
    Account,
    User,
    chat_links_table,
    dedicated_accounts_table,
    fundings_table,
    paystack_events_table,
)

F = fundings_table.c
D = dedicated_accounts_table.c


@dataclass(frozen=True, slots=True)
class FundingRecord:
    id: int
    user_id: int
    account_id: int
    kind: str
    reference: str
    idempotency_key: str | None
    amount: int
    fee: int
    credit_amount: int
    status: str
    review_reason: str | None
    authorization_url: str | None
    paystack_id: str | None
    paid_amount: int | None
    paid_fees: int | None
    channel: str | None
    attempts: int
    next_verify_at: datetime | None
    created_at: datetime
    updated_at: datetime
    credited_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> FundingRecord:
        return cls(**{name: row[name] for name in _FUNDING_FIELDS})


_FUNDING_FIELDS = tuple(f.name for f in fields(FundingRecord))


@dataclass(frozen=True, slots=True)
class AccountRecord:
    user_id: int
    status: str
    provider: str
    customer_code: str | None
    bank_name: str | None
    account_number: str | None
    account_name: str | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, row: Any) -> AccountRecord:
        return cls(**{name: row[name] for name in _ACCOUNT_FIELDS})


_ACCOUNT_FIELDS = tuple(f.name for f in fields(AccountRecord))


def _insert_or_nothing(session: AsyncSession, table: Any) -> Any:
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


# -- fundings ------------------------------------------------------------------------------


async def insert_funding(session: AsyncSession, **values: Any) -> FundingRecord | None:
    """A new funding, or None when its reference (or user + idempotency key) exists."""
    row = (
        (
            await session.execute(
                _insert_or_nothing(session, fundings_table)
                .values(**values)
                .returning(fundings_table)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else FundingRecord.of(row)


async def by_reference(session: AsyncSession, reference: str) -> FundingRecord | None:
    row = (
        (await session.execute(select(fundings_table).where(F.reference == reference)))
        .mappings()
        .first()
    )
    return None if row is None else FundingRecord.of(row)


async def by_references(session: AsyncSession, references: list[str]) -> dict[str, FundingRecord]:
    """The fundings with these references (one statement for a batch of webhooks)."""
    query = select(fundings_table).where(F.reference.in_(references))
    found = [FundingRecord.of(row) for row in (await session.execute(query)).mappings()]
    return {funding.reference: funding for funding in found}


@dataclass(frozen=True, slots=True)
class Payment:
    """What verify said was paid for one funding being credited."""

    funding_id: int
    amount: int
    fees: int | None
    channel: str | None
    paystack_id: str | None


async def mark_credited(
    session: AsyncSession, payments: list[Payment], now: datetime
) -> list[FundingRecord]:
    """Mark these fundings credited, in one statement; only those still open come back.

    Each funding's verified payment goes into its own row (a CASE on the id), so a batch of
    credits costs one round trip, and the `status = 'open'` guard still lets exactly one of two
    racing credits through.
    """
    if not payments:
        return []

    def per_row(column: Any, values: dict[int, Any]) -> Any:
        return cast(case(values, value=F.id, else_=None), column.type)

    query = (
        update(fundings_table)
        .where(F.id.in_([p.funding_id for p in payments]), F.status == "open")
        .values(
            status="credited",
            paid_amount=per_row(F.paid_amount, {p.funding_id: p.amount for p in payments}),
            paid_fees=per_row(F.paid_fees, {p.funding_id: p.fees for p in payments}),
            channel=per_row(F.channel, {p.funding_id: p.channel for p in payments}),
            paystack_id=per_row(F.paystack_id, {p.funding_id: p.paystack_id for p in payments}),
            next_verify_at=None,
            credited_at=now,
            updated_at=now,
        )
        .returning(fundings_table)
    )
    return [FundingRecord.of(row) for row in (await session.execute(query)).mappings()]


async def by_idempotency_key(session: AsyncSession, user_id: int, key: str) -> FundingRecord | None:
    query = select(fundings_table).where(F.user_id == user_id, F.idempotency_key == key)
    row = (await session.execute(query)).mappings().first()
    return None if row is None else FundingRecord.of(row)


async def change(
    session: AsyncSession, funding_id: int, *, only_if: str | None = None, **values: Any
) -> FundingRecord | None:
    """Update a funding (only while in `only_if`, when given); None when it was not in it."""
    query = update(fundings_table).where(F.id == funding_id)
    if only_if is not None:
        query = query.where(F.status == only_if)
    row = (
        (await session.execute(query.values(**values).returning(fundings_table))).mappings().first()
    )
    return None if row is None else FundingRecord.of(row)


async def due_for_verify(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    """References of open checkouts whose next verify is due, oldest first."""
    rows = await session.execute(
        select(F.reference)
        .where(F.status == "open", F.next_verify_at <= now)
        .order_by(F.next_verify_at)
        .limit(limit)
    )
    return list(rows.scalars())


async def known_references(session: AsyncSession, references: list[str]) -> set[str]:
    if not references:
        return set()
    rows = await session.execute(select(F.reference).where(F.reference.in_(references)))
    return set(rows.scalars())


def lagos_day_start(now: datetime) -> datetime:
    local = now.astimezone(LAGOS)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


async def funded_today(session: AsyncSession, user_id: int, now: datetime) -> int:
    """Kobo this user paid in (or is paying: open checkouts count) since Lagos midnight."""
    total = await session.scalar(
        select(func.coalesce(func.sum(F.amount), 0)).where(
            F.user_id == user_id,
            F.created_at >= lagos_day_start(now),
            F.status.in_(("open", "credited", "review")),
        )
    )
    return int(total or 0)


async def recent(
    session: AsyncSession, *, status: str | None = None, limit: int = 50
) -> list[FundingRecord]:
    query = select(fundings_table).order_by(F.id.desc()).limit(limit)
    if status is not None:
        query = query.where(F.status == status)
    return [FundingRecord.of(row) for row in (await session.execute(query)).mappings()]


async def recipients(
    session: AsyncSession, user_ids: set[int], chat_channel: str
) -> dict[int, tuple[str, bool]]:
    """Where each user's receipts go, for a batch of credits: their phone, and whether they
    linked a chat on `chat_channel` (one statement)."""
    if not user_ids:
        return {}
    links = chat_links_table.c
    linked = (
        select(links.user_id)
        .where(links.channel == chat_channel, links.user_id == User.id)
        .exists()
    )
    query = select(User.id, User.phone, linked).where(User.id.in_(sorted(user_ids)))
    rows = await session.execute(query)
    return {int(user_id): (str(phone), bool(chat)) for user_id, phone, chat in rows}


async def system_account(session: AsyncSession, code: str) -> int:
    """The id of a Paystack system account (seeded by migration 0014)."""
    found = await session.scalar(select(Account.id).where(Account.code == code))
    if found is None:
        raise LookupError(f"system account {code!r} missing (run `paylink migrate`)")
    return int(found)


# -- webhook events ------------------------------------------------------------------------


async def record_event(
    session: AsyncSession, key: str, event: str, reference: str | None, now: datetime
) -> int | None:
    """The new event's id, or None when this key was seen before (a redelivery)."""
    values = {"event_key": key, "event": event, "reference": reference, "received_at": now}
    query = _insert_or_nothing(session, paystack_events_table).values(**values)
    found = await session.scalar(query.returning(paystack_events_table.c.id))
    return None if found is None else int(found)


async def record_events(
    session: AsyncSession, events: list[tuple[str, str, str | None]], now: datetime
) -> dict[str, int]:
    """`record_event` for a batch of (key, event, reference) in one statement: the ids of the
    keys new here (a key seen before, or twice in the batch, is recorded once). Rows go in key
    order, so two batches sharing keys wait for each other instead of deadlocking."""
    rows: dict[str, dict[str, Any]] = {}
    for key, event, reference in events:
        rows.setdefault(
            key, {"event_key": key, "event": event, "reference": reference, "received_at": now}
        )
    query = (
        _insert_or_nothing(session, paystack_events_table)
        .values([rows[key] for key in sorted(rows)])
        .returning(paystack_events_table.c.id, paystack_events_table.c.event_key)
    )
    return {key: int(event_id) for event_id, key in await session.execute(query)}


async def event_done(session: AsyncSession, event_id: int, outcome: str, now: datetime) -> None:
    await events_done(session, [(event_id, outcome)], now)


_EVENT_DONE = (
    update(paystack_events_table)
    .where(paystack_events_table.c.id == bindparam("event_id", type_=Integer))
    .values(processed_at=bindparam("done_at"), outcome=bindparam("done_outcome"))
)


async def events_done(session: AsyncSession, done: list[tuple[int, str]], now: datetime) -> None:
    """Keep each event's outcome (a batch in one round trip: the driver pipelines it)."""
    if done:
        rows = [{"event_id": i, "done_outcome": word[:32], "done_at": now} for i, word in done]
        await session.execute(_EVENT_DONE, rows)


# -- dedicated accounts --------------------------------------------------------------------


async def account_of(session: AsyncSession, user_id: int) -> AccountRecord | None:
    query = select(dedicated_accounts_table).where(D.user_id == user_id)
    row = (await session.execute(query)).mappings().first()
    return None if row is None else AccountRecord.of(row)


async def active_accounts(session: AsyncSession) -> list[AccountRecord]:
    """Every account Paystack made for us (the embedded simulator is told them on a restart)."""
    query = select(dedicated_accounts_table).where(
        D.status == "active", D.account_number.is_not(None)
    )
    return [AccountRecord.of(row) for row in (await session.execute(query)).mappings()]


async def account_by_number(session: AsyncSession, number: str) -> AccountRecord | None:
    query = select(dedicated_accounts_table).where(D.account_number == number)
    row = (await session.execute(query)).mappings().first()
    return None if row is None else AccountRecord.of(row)


async def ask_for_account(
    session: AsyncSession, user_id: int, provider: str, now: datetime
) -> None:
    """A pending account for the user unless one exists (due for its first attempt now)."""
    values = {
        "user_id": user_id,
        "status": "pending",
        "provider": provider,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    await session.execute(_insert_or_nothing(session, dedicated_accounts_table).values(**values))


async def claim_account_attempt(
    session: AsyncSession, user_id: int, now: datetime, hold_s: float
) -> bool:
    """Take the next creation attempt (so two requests never both ask Paystack)."""
    result = await session.execute(
        update(dedicated_accounts_table)
        .where(D.user_id == user_id, D.status == "pending", D.next_attempt_at <= now)
        .values(next_attempt_at=now + timedelta(seconds=hold_s), attempts=D.attempts + 1)
    )
    return bool(getattr(result, "rowcount", 0))


async def update_account(session: AsyncSession, user_id: int, **values: Any) -> None:
    await session.execute(
        update(dedicated_accounts_table).where(D.user_id == user_id).values(**values)
    )


async def accounts_due(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    rows = await session.execute(
        select(D.user_id)
        .where(D.status == "pending", D.next_attempt_at <= now)
        .order_by(D.next_attempt_at)
        .limit(limit)
    )
    return list(rows.scalars())
