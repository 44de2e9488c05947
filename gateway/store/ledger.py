"""The double-entry ledger: post a balanced journal, read balances and statements.

Sign convention: an account's balance is its credits minus its debits, so money moving from
A to B debits A and credits B. A wallet's balance is what the user can spend; `funding` goes
negative as operators bring money in; the sum over every entry is always zero.

Wallet balances are also cached on the account row and updated in the same transaction as the
entries (the row lock serialises a user's postings; `CHECK balance >= 0` refuses overdrafts).
System balances are only ever summed from entries, so no purchase waits on a hot row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import GatewayError, NotFound
from gateway.store.tables import (
    SYSTEM_ACCOUNTS,
    Account,
    Entry,
    Journal,
    accounts_table,
    entries_table,
    journals_table,
    purchases_table,
)


class UnbalancedJournal(GatewayError):
    """A posting whose legs do not sum to zero, or with a non-positive leg; nothing was written."""

    code = "unbalanced_journal"


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class JournalKind(StrEnum):
    CREDIT = "credit"  # funding -> wallet (operator credit)
    PURCHASE_DEBIT = "purchase_debit"  # wallet -> clearing (submit)
    PURCHASE_DELIVERED = "purchase_delivered"  # clearing -> float + fee revenue
    PURCHASE_REFUND = "purchase_refund"  # clearing -> wallet (failed)
    PURCHASE_REVERSAL = "purchase_reversal"  # float + fee revenue -> wallet (reversed)
    ADJUSTMENT = "adjustment"  # operator correction
    FUNDING = "funding"  # Paystack settlement -> wallet (a verified payment)
    FUNDING_REVERSAL = "funding_reversal"  # wallet -> Paystack settlement (refund, chargeback)


@dataclass(frozen=True, slots=True)
class AccountRef:
    id: int
    is_wallet: bool


@dataclass(frozen=True, slots=True)
class Leg:
    account: AccountRef
    side: Side
    amount: int

    @property
    def signed(self) -> int:
        return self.amount if self.side is Side.CREDIT else -self.amount


@dataclass(frozen=True, slots=True)
class SystemAccounts:
    vtpass_float: AccountRef
    fee_revenue: AccountRef
    clearing: AccountRef
    funding: AccountRef


@dataclass(frozen=True, slots=True)
class StatementLine:
    journal_id: int
    kind: str
    reference: str
    purchase_id: int | None
    memo: str | None
    side: Side
    amount: int
    created_at: datetime
    purchase_reference: str | None = None  # the purchase's customer reference (`PL-…`)


def transfer(source: AccountRef, target: AccountRef, amount: int) -> list[Leg]:
    """The two legs that move `amount` kobo from `source` to `target`."""
    return [Leg(source, Side.DEBIT, amount), Leg(target, Side.CREDIT, amount)]


def check_balanced(legs: Sequence[Leg]) -> None:
    """Raise `UnbalancedJournal` unless the legs are positive integers summing to zero."""
    if not legs:
        raise UnbalancedJournal("a journal needs at least one leg")
    for leg in legs:
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount <= 0:
            raise UnbalancedJournal(f"leg amounts must be positive kobo, got {leg.amount!r}")
    net = sum(leg.signed for leg in legs)
    if net != 0:
        raise UnbalancedJournal(f"credits minus debits is {net}, not 0")


@dataclass(frozen=True, slots=True)
class Posting:
    """One journal to write: its legs must balance."""

    kind: JournalKind
    reference: str
    legs: Sequence[Leg]
    at: datetime
    purchase_id: int | None = None
    memo: str | None = None
    actor: str | None = None  # who made an operator posting, and from which address
    actor_ip: str | None = None


async def post(
    session: AsyncSession,
    *,
    kind: JournalKind,
    reference: str,
    legs: Sequence[Leg],
    at: datetime,
    purchase_id: int | None = None,
    memo: str | None = None,
    actor: str | None = None,
    actor_ip: str | None = None,
) -> int:
    """Write one balanced journal and update cached wallet balances; returns the journal id.

    The caller owns the transaction. A reused `reference` raises `IntegrityError` (that is
    how credits and settlements happen once); Postgres re-checks the balance at COMMIT.

    Raises:
        UnbalancedJournal: the legs do not balance (checked here for every backend).
    """
    posting = Posting(kind, reference, legs, at, purchase_id, memo, actor, actor_ip)
    (journal_id,) = await post_many(session, [posting])
    return journal_id


async def post_many(
    session: AsyncSession, postings: Sequence[Posting], *, wallets_locked: bool = False
) -> list[int]:
    """`post` for many journals in a few statements, whatever their number; ids in order.

    Every journal is checked before anything is written. The wallets it touches are locked
    first, in account order (pass `wallets_locked` if the caller already holds them), so two
    transactions posting to the same wallets queue instead of deadlocking; then each wallet's
    balance moves once, by the sum of its legs.
    """
    for posting in postings:
        check_balanced(posting.legs)
    if not postings:
        return []
    wallets = sorted({leg.account.id for p in postings for leg in p.legs if leg.account.is_wallet})
    if wallets and not wallets_locked:
        await session.execute(_LOCK_ACCOUNTS, {"ids": wallets})
    rows = await session.execute(
        _INSERT_JOURNALS,
        [
            {
                "kind": str(p.kind),
                "reference": p.reference,
                "purchase_id": p.purchase_id,
                "memo": p.memo,
                "actor": p.actor,
                "actor_ip": p.actor_ip,
                "created_at": p.at,
            }
            for p in postings
        ],
    )
    journal_ids = [int(journal_id) for journal_id in rows.scalars()]
    await session.execute(
        _INSERT_ENTRIES,
        [
            {
                "journal_id": journal_id,
                "account_id": leg.account.id,
                "side": str(leg.side),
                "amount": leg.amount,
            }
            for journal_id, posting in zip(journal_ids, postings, strict=True)
            for leg in posting.legs
        ],
    )
    deltas: dict[int, int] = defaultdict(int)
    for posting in postings:
        for leg in posting.legs:
            if leg.account.is_wallet:
                deltas[leg.account.id] += leg.signed
    moves = [
        {"account_id": account_id, "delta": delta}
        for account_id, delta in sorted(deltas.items())  # sorted: a fixed lock order
        if delta
    ]
    if moves:
        await session.execute(_MOVE_WALLET, moves)
    return journal_ids


# built once (see gateway.store.purchases): posting is on every purchase's path
_INSERT_JOURNALS = journals_table.insert().returning(
    journals_table.c.id, sort_by_parameter_order=True
)
_INSERT_ENTRIES = entries_table.insert()
_MOVE_WALLET = (
    accounts_table.update()
    .where(accounts_table.c.id == bindparam("account_id"))
    .values(balance=accounts_table.c.balance + bindparam("delta"))
)

_LOCK_ACCOUNTS = (
    select(accounts_table.c.id)
    .where(accounts_table.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(accounts_table.c.id)
    .with_for_update()
)

_SIGNED = case((Entry.side == "credit", Entry.amount), else_=-Entry.amount)


async def balance(session: AsyncSession, account_id: int) -> int:
    """An account's balance summed from its entries (the truth the cache must match)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(_SIGNED), 0)).where(Entry.account_id == account_id)
    )
    return int(total or 0)


async def load_system_accounts(session: AsyncSession) -> SystemAccounts:
    """The four system accounts seeded by the first migration.

    Raises:
        NotFound: the database was not migrated.
    """
    rows = (
        await session.execute(
            select(Account.code, Account.id).where(Account.code.in_(SYSTEM_ACCOUNTS))
        )
    ).all()
    ids: dict[str, int] = {code: account_id for code, account_id in rows}  # noqa: C416
    missing = set(SYSTEM_ACCOUNTS) - ids.keys()
    if missing:
        raise NotFound(f"system accounts missing (run `paylink migrate`): {sorted(missing)}")
    return SystemAccounts(**{code: AccountRef(ids[code], is_wallet=False) for code in ids})


async def journal_by_reference(session: AsyncSession, reference: str) -> int | None:
    """The id of the journal posted under `reference`, if any."""
    return await session.scalar(select(Journal.id).where(Journal.reference == reference))


async def journal_legs(session: AsyncSession, journal_id: int) -> list[tuple[int, Side, int]]:
    """(account id, side, amount) of each leg of a journal."""
    rows = await session.execute(
        select(Entry.account_id, Entry.side, Entry.amount)
        .where(Entry.journal_id == journal_id)
        .order_by(Entry.id)
    )
    return [(account_id, Side(side), amount) for account_id, side, amount in rows]


async def statement(
    session: AsyncSession, account_id: int, limit: int = 50, *, offset: int = 0
) -> list[StatementLine]:
    """An account's ledger lines, newest first (`offset` lines skipped, for paging)."""
    rows = await session.execute(
        select(
            Journal.id,
            Journal.kind,
            Journal.reference,
            Journal.purchase_id,
            Journal.memo,
            Entry.side,
            Entry.amount,
            Journal.created_at,
            purchases_table.c.reference,
        )
        .join(Journal, Journal.id == Entry.journal_id)
        .outerjoin(purchases_table, purchases_table.c.id == Journal.purchase_id)
        .where(Entry.account_id == account_id)
        .order_by(Journal.id.desc(), Entry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        StatementLine(jid, kind, ref, pid, memo, Side(side), amount, at, purchase_ref)
        for jid, kind, ref, pid, memo, side, amount, at, purchase_ref in rows
    ]
