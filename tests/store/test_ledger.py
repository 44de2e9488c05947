"""The ledger: balanced journals only (code everywhere, a deferred trigger on Postgres), and
wallets that can never go negative."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from gateway.phones import normalize_phone
from gateway.store import ledger, users
from gateway.store.ledger import AccountRef, JournalKind, Leg, Side, UnbalancedJournal


async def _wallet(
    session: AsyncSession, clock_now: datetime, phone: str = "08031234567"
) -> AccountRef:
    user, _ = await users.get_or_create(session, normalize_phone(phone), now=clock_now)
    return AccountRef(user.account_id, is_wallet=True)


@pytest.fixture
def now():
    from tests.purchases.conftest import START

    return START


async def test_a_balanced_posting_updates_the_cached_wallet_balance(db, now):
    system = await ledger.load_system_accounts(db)
    wallet = await _wallet(db, now)

    await ledger.post(
        db,
        kind=JournalKind.CREDIT,
        reference="credit:1",
        legs=ledger.transfer(system.funding, wallet, 700),
        at=now,
    )

    assert await ledger.balance(db, wallet.id) == 700
    assert await ledger.balance(db, system.funding.id) == -700
    user = await users.find_by_phone(db, normalize_phone("+2348031234567"))
    assert user is not None
    locked = await users.lock_wallet(db, user.id)
    assert locked is not None
    assert locked.balance == 700


@pytest.mark.parametrize(
    "legs",
    [
        [],
        [(Side.DEBIT, 100), (Side.CREDIT, 99)],
        [(Side.DEBIT, 0), (Side.CREDIT, 0)],
        [(Side.DEBIT, -5), (Side.CREDIT, -5)],
    ],
)
async def test_the_code_check_rejects_an_unbalanced_journal(db, now, legs):
    system = await ledger.load_system_accounts(db)

    with pytest.raises(UnbalancedJournal):
        await ledger.post(
            db,
            kind=JournalKind.ADJUSTMENT,
            reference="bad",
            legs=[Leg(system.clearing, side, amount) for side, amount in legs],
            at=now,
        )

    assert await ledger.journal_by_reference(db, "bad") is None


async def test_a_journal_reference_posts_once(db, now):
    system = await ledger.load_system_accounts(db)
    legs = ledger.transfer(system.funding, system.vtpass_float, 100)
    await ledger.post(db, kind=JournalKind.ADJUSTMENT, reference="once", legs=legs, at=now)

    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            await ledger.post(db, kind=JournalKind.ADJUSTMENT, reference="once", legs=legs, at=now)


async def test_a_wallet_cannot_be_overdrawn_even_by_raw_postings(db, now):
    system = await ledger.load_system_accounts(db)
    wallet = await _wallet(db, now)

    with pytest.raises(IntegrityError, match="wallet_not_negative"):
        async with db.begin_nested():
            await ledger.post(
                db,
                kind=JournalKind.ADJUSTMENT,
                reference="overdraft",
                legs=ledger.transfer(wallet, system.clearing, 1),
                at=now,
            )


async def test_entries_must_be_positive(db):
    await db.execute(
        text(
            "INSERT INTO journals (kind, reference, created_at)"
            " VALUES ('adjustment', 'neg', CURRENT_TIMESTAMP)"
        )
    )
    with pytest.raises(IntegrityError, match="amount_positive"):
        async with db.begin_nested():
            await db.execute(
                text(
                    "INSERT INTO entries (journal_id, account_id, side, amount)"
                    " SELECT j.id, 1, 'debit', -1 FROM journals j WHERE j.reference = 'neg'"
                )
            )


async def _raw_journal(connection: AsyncConnection, legs: list[tuple[str, str, int]]) -> None:
    await connection.execute(
        text(
            "INSERT INTO journals (kind, reference, created_at)"
            " VALUES ('adjustment', 'raw', CURRENT_TIMESTAMP)"
        )
    )
    for code, side, amount in legs:
        await connection.execute(
            text(
                "INSERT INTO entries (journal_id, account_id, side, amount)"
                " SELECT j.id, a.id, :side, :amount FROM journals j, accounts a"
                " WHERE j.reference = 'raw' AND a.code = :code"
            ),
            {"code": code, "side": side, "amount": amount},
        )


async def test_the_deferred_trigger_rejects_an_unbalanced_journal_at_commit(pg_engine):
    async with pg_engine.connect() as connection:
        transaction = await connection.begin()
        # the first leg alone is unbalanced, but the check waits for COMMIT
        await _raw_journal(connection, [("clearing", "debit", 500)])
        with pytest.raises(IntegrityError, match="not balanced"):
            await transaction.commit()


async def test_the_deferred_trigger_accepts_a_journal_balanced_by_commit(pg_engine):
    async with pg_engine.connect() as connection:
        transaction = await connection.begin()
        await _raw_journal(
            connection, [("clearing", "debit", 500), ("vtpass_float", "credit", 500)]
        )
        await connection.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # the commit-time check
        legs = await connection.execute(
            text(
                "SELECT e.side, e.amount FROM entries e JOIN journals j ON j.id = e.journal_id"
                " WHERE j.reference = 'raw' ORDER BY e.side"
            )
        )
        assert [tuple(leg) for leg in legs] == [("credit", 500), ("debit", 500)]
        await transaction.rollback()


async def test_the_deferred_trigger_rejects_deleting_one_leg(pg_engine):
    async with pg_engine.connect() as connection:
        transaction = await connection.begin()
        await _raw_journal(
            connection, [("clearing", "debit", 500), ("vtpass_float", "credit", 500)]
        )
        await connection.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
        await connection.execute(text("SET CONSTRAINTS ALL DEFERRED"))
        await connection.execute(text("DELETE FROM entries WHERE side = 'credit'"))
        with pytest.raises(IntegrityError, match="not balanced"):
            await connection.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
        await transaction.rollback()


async def test_a_statement_lists_a_wallets_lines_newest_first(db, now):
    system = await ledger.load_system_accounts(db)
    wallet = await _wallet(db, now)
    for ref, amount in [("a", 100), ("b", 200)]:
        await ledger.post(
            db,
            kind=JournalKind.CREDIT,
            reference=ref,
            legs=ledger.transfer(system.funding, wallet, amount),
            at=now,
        )

    lines = await ledger.statement(db, wallet.id)

    assert [(line.reference, line.side, line.amount) for line in lines] == [
        ("b", Side.CREDIT, 200),
        ("a", Side.CREDIT, 100),
    ]
    assert lines[0].created_at == now
