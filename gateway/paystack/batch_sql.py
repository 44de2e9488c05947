"""Postgres statements for the webhook's hot path: one fixed text whatever the batch size.

Why (bench/RESULTS.md, "Funding webhooks: fixed-text batches"): a statement whose text grows
with the batch (an `IN` list, a `VALUES` row or a `CASE` arm per item) is compiled by
SQLAlchemy and re-parsed by psycopg for every new size and never becomes a prepared statement;
these take arrays (`= ANY`, `unnest`), so each is compiled once and prepared by the driver.
The statements that are a whole transaction on their own (recording events, reading
fundings, noting outcomes) run on an autocommit connection: one round trip each instead of
BEGIN, the statement and COMMIT (or ROLLBACK). A single statement is atomic in Postgres, so
nothing is weaker: an event's row is in or not, the `status = 'open'` guard still lets one of
two racing credits through.

SQLite (the embedded default) has no arrays: `usable()` is False there and callers keep the
portable statements of `gateway.paystack.store`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, String, bindparam, column, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql.expression import any_

from gateway.paystack.store import FundingRecord, Payment
from gateway.store import ledger, outbox
from gateway.store.tables import fundings_table, paystack_events_table

F = fundings_table.c
E = paystack_events_table.c


def autocommit_engine(db: async_sessionmaker[AsyncSession]) -> AsyncEngine | None:
    """The sessions' engine in autocommit mode when it is Postgres, else None (SQLite)."""
    engine = db.kw.get("bind")
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "postgresql":
        return None
    return engine.execution_options(isolation_level="AUTOCOMMIT")


_RECORD_AND_READ = text(
    "WITH new AS (INSERT INTO paystack_events (event_key, event, reference, received_at) "
    "SELECT k, e, r, :now FROM unnest(CAST(:keys AS varchar[]), CAST(:events AS varchar[]), "
    "CAST(:refs AS varchar[])) AS t(k, e, r) ORDER BY k "
    "ON CONFLICT (event_key) DO NOTHING RETURNING id, event_key, reference) "
    "SELECT new.id AS event_id, new.event_key, f.* "
    "FROM new LEFT JOIN fundings AS f ON f.reference = new.reference"
).columns(column("event_id", BigInteger), column("event_key", String), *fundings_table.c)


async def record_events_reading(
    connection: AsyncConnection, events: Sequence[tuple[str, str, str | None]], now: datetime
) -> dict[str, tuple[int, FundingRecord | None]]:
    """`store.record_events` in one fixed statement, which also reads the funding each new
    event names (None when it names none of ours): the webhook then needs no read of its own."""
    rows: dict[str, tuple[str, str | None]] = {}
    for key, event, reference in events:
        rows.setdefault(key, (event, reference))
    params = {
        "now": now,
        "keys": list(rows),
        "events": [event for event, _ in rows.values()],
        "refs": [reference for _, reference in rows.values()],
    }
    result = await connection.execute(_RECORD_AND_READ, params)
    return {
        str(row["event_key"]): (
            int(row["event_id"]),
            None if row["id"] is None else FundingRecord.of(row),
        )
        for row in result.mappings()
    }


_BY_REFERENCES = select(fundings_table).where(
    F.reference == any_(bindparam("refs", type_=ARRAY(String)))
)


async def by_references(
    connection: AsyncConnection, references: list[str]
) -> dict[str, FundingRecord]:
    """`store.by_references` with one text for any number of references."""
    result = await connection.execute(_BY_REFERENCES, {"refs": references})
    found = [FundingRecord.of(row) for row in result.mappings()]
    return {funding.reference: funding for funding in found}


_EVENTS_DONE = text(
    "UPDATE paystack_events SET processed_at = :now, outcome = t.o "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:outcomes AS varchar[])) AS t(i, o) "
    "WHERE paystack_events.id = t.i"
)


async def events_done(
    connection: AsyncConnection, done: Sequence[tuple[int, str]], now: datetime
) -> None:
    """`store.events_done` in one statement."""
    if done:
        params = {
            "now": now,
            "ids": [event_id for event_id, _ in done],
            "outcomes": [word[:32] for _, word in done],
        }
        await connection.execute(_EVENTS_DONE, params)


_RETURNING = ", ".join(f"fundings.{column.name}" for column in fundings_table.c)
_MARK_CREDITED = text(
    # S608: the only text put in is the names of our own columns
    "WITH m AS (UPDATE fundings SET status = 'credited', paid_amount = p.amount, "  # noqa: S608
    "paid_fees = p.fees, channel = p.channel, paystack_id = p.paystack_id, "
    "next_verify_at = NULL, credited_at = :now, updated_at = :now "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:amounts AS bigint[]), CAST(:fees AS bigint[]), "
    "CAST(:channels AS varchar[]), CAST(:paystack_ids AS varchar[])) "
    "AS p(id, amount, fees, channel, paystack_id) "
    "WHERE fundings.id = p.id AND fundings.status = 'open' "
    f"RETURNING {_RETURNING}), "
    "n AS (UPDATE paystack_events SET processed_at = :now, outcome = 'credited' "
    "FROM unnest(CAST(:event_ids AS bigint[]), CAST(:event_fundings AS bigint[])) AS e(i, f) "
    "JOIN m ON m.id = e.f WHERE paystack_events.id = e.i) "
    "SELECT * FROM m"
).columns(*fundings_table.c)


async def mark_credited(
    session: AsyncSession,
    payments: list[Payment],
    now: datetime,
    events: Sequence[tuple[int, int]] = (),
) -> list[FundingRecord]:
    """`store.mark_credited` in one fixed statement, in the caller's transaction; `events`
    (event id, funding id) whose funding it marks get the outcome `credited` in the same
    statement (`store.events_done`)."""
    if not payments:
        return []
    params = {
        "now": now,
        "ids": [p.funding_id for p in payments],
        "amounts": [p.amount for p in payments],
        "fees": [p.fees for p in payments],
        "channels": [p.channel for p in payments],
        "paystack_ids": [p.paystack_id for p in payments],
        "event_ids": [event_id for event_id, _ in events],
        "event_fundings": [funding_id for _, funding_id in events],
    }
    result = await session.execute(_MARK_CREDITED, params)
    return [FundingRecord.of(row) for row in result.mappings()]


@dataclass(frozen=True, slots=True)
class Wallet:
    """A wallet locked for a credit, and where its owner's receipts go."""

    account_id: int
    balance: int
    phone: str
    in_chat: bool  # the owner linked a chat on the receipts' chat channel


_LOCK_WALLETS = text(
    "SELECT a.user_id, a.id, a.balance, u.phone, EXISTS (SELECT 1 FROM chat_links AS l "
    "WHERE l.channel = :channel AND l.user_id = u.id) AS in_chat "
    "FROM accounts AS a JOIN users AS u ON u.id = a.user_id "
    "WHERE a.user_id = ANY(CAST(:user_ids AS bigint[])) ORDER BY a.id FOR UPDATE OF a"
)


async def lock_wallets(
    session: AsyncSession, user_ids: Collection[int], chat_channel: str
) -> dict[int, Wallet]:
    """`users.lock_wallets` and `store.recipients` in one statement: the users' wallets locked
    in account order (so two batches sharing wallets queue instead of deadlocking)."""
    if not user_ids:
        return {}
    params = {"channel": chat_channel, "user_ids": sorted(user_ids)}
    rows = await session.execute(_LOCK_WALLETS, params)
    return {
        int(user_id): Wallet(int(account_id), int(balance or 0), str(phone), bool(in_chat))
        for user_id, account_id, balance, phone, in_chat in rows
    }


_POST = text(
    "WITH j AS (INSERT INTO journals (kind, reference, purchase_id, memo, actor, actor_ip, "
    "created_at) SELECT k, r, p, m, a, ip, :at FROM unnest(CAST(:j_kinds AS varchar[]), "
    "CAST(:j_refs AS varchar[]), CAST(:j_purchases AS bigint[]), CAST(:j_memos AS varchar[]), "
    "CAST(:j_actors AS varchar[]), CAST(:j_ips AS varchar[])) AS t(k, r, p, m, a, ip) "
    "RETURNING id, reference), "
    "e AS (INSERT INTO entries (journal_id, account_id, side, amount) "
    "SELECT j.id, t.a, t.s, t.n FROM unnest(CAST(:e_refs AS varchar[]), "
    "CAST(:e_accounts AS bigint[]), CAST(:e_sides AS varchar[]), CAST(:e_amounts AS bigint[])) "
    "WITH ORDINALITY AS t(r, a, s, n, o) JOIN j ON j.reference = t.r ORDER BY t.o), "
    "w AS (UPDATE accounts SET balance = accounts.balance + t.d "
    "FROM unnest(CAST(:w_ids AS bigint[]), CAST(:w_deltas AS bigint[])) AS t(i, d) "
    "WHERE accounts.id = t.i), "
    "o AS (INSERT INTO outbox (user_id, phone, channel, body, status, purchase_id, created_at, "
    "next_attempt_at) SELECT u, ph, c, b, 'queued', p, :at, :at FROM unnest("
    "CAST(:o_users AS bigint[]), CAST(:o_phones AS varchar[]), CAST(:o_channels AS varchar[]), "
    "CAST(:o_bodies AS text[]), CAST(:o_purchases AS bigint[])) AS t(u, ph, c, b, p)) "
    "SELECT count(*) FROM j"
)


async def post_credits(
    session: AsyncSession,
    postings: Sequence[ledger.Posting],
    receipts: Sequence[outbox.NewMessage],
    at: datetime,
) -> None:
    """`ledger.post_many` (its wallets already locked by the caller) and `outbox.enqueue_many`
    in one statement, in the caller's transaction. Every journal is checked before anything
    is written; a reused reference raises `IntegrityError` as there; Postgres re-checks each
    journal's balance at COMMIT."""
    for posting in postings:
        ledger.check_balanced(posting.legs)
    if not postings:
        return
    deltas: dict[int, int] = defaultdict(int)
    for posting in postings:
        for leg in posting.legs:
            if leg.account.is_wallet:
                deltas[leg.account.id] += leg.signed
    moves = sorted((account, delta) for account, delta in deltas.items() if delta)
    legs = [(p.reference, leg) for p in postings for leg in p.legs]
    params = {
        "at": at,
        "j_kinds": [str(p.kind) for p in postings],
        "j_refs": [p.reference for p in postings],
        "j_purchases": [p.purchase_id for p in postings],
        "j_memos": [p.memo for p in postings],
        "j_actors": [p.actor for p in postings],
        "j_ips": [p.actor_ip for p in postings],
        "e_refs": [reference for reference, _ in legs],
        "e_accounts": [leg.account.id for _, leg in legs],
        "e_sides": [str(leg.side) for _, leg in legs],
        "e_amounts": [leg.amount for _, leg in legs],
        "w_ids": [account for account, _ in moves],
        "w_deltas": [delta for _, delta in moves],
        "o_users": [m.user_id for m in receipts],
        "o_phones": [m.phone for m in receipts],
        "o_channels": [m.channel for m in receipts],
        "o_bodies": [m.body for m in receipts],
        "o_purchases": [m.purchase_id for m in receipts],
    }
    await session.execute(_POST, params)
