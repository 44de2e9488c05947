"""reconcile: clean after real activity, and it finds each kind of corruption planted by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gateway.purchases.reconcile import reconcile_database
from gateway.vtpass.models import Outcome, PayResult
from tests.purchases.conftest import N, airtime, assert_reconciled, electricity, funded_user, vend
from tests.purchases.fakes import FakeVTPass


@pytest.fixture
async def activity(service):
    """One purchase in each state: pending, delivered, failed, reversed, initiated."""
    user_id = await funded_user(service, 50_000)
    ids = {}
    for name, outcome in [  # the initiated one last, or the worker's pass would vend it
        ("pending", Outcome.PENDING),
        ("delivered", Outcome.DELIVERED),
        ("failed", Outcome.FAILED),
        ("reversed", Outcome.DELIVERED),
        ("initiated", None),
    ]:
        order = electricity(1_000) if name == "delivered" else airtime(1_000)
        purchase = (await service.submit(user_id, order, idempotency_key=name)).purchase
        if outcome is not None:
            await vend(service, purchase.id, FakeVTPass(outcome))
        ids[name] = purchase.id
    reversed_ = await service.get(ids["reversed"])
    await service.settle(reversed_.id, PayResult(Outcome.REVERSED, reversed_.request_id))
    return ids


async def test_reconcile_is_clean_after_every_kind_of_purchase(activity, sessionmaker):
    report = await assert_reconciled(sessionmaker)

    assert report.purchases_checked == 5
    assert report.wallets_checked == 1


async def test_reconcile_reports_a_cached_balance_that_differs_from_entries(activity, sessionmaker):
    async with sessionmaker.begin() as session:
        await session.execute(
            text("UPDATE accounts SET balance = balance + 1 WHERE kind = 'wallet'")
        )

    report = await reconcile_database(sessionmaker)

    assert [d.check for d in report.discrepancies] == ["wallet_cache"]


async def test_reconcile_reports_money_taken_out_of_clearing_by_hand(activity, sessionmaker):
    async with sessionmaker.begin() as session:  # balanced, so even the trigger accepts it
        await session.execute(
            text(
                "INSERT INTO journals (kind, reference, created_at)"
                " VALUES ('adjustment', 'theft', CURRENT_TIMESTAMP)"
            )
        )
        await session.execute(
            text(
                "INSERT INTO entries (journal_id, account_id, side, amount) SELECT j.id, a.id,"
                " CASE a.code WHEN 'clearing' THEN 'debit' ELSE 'credit' END, 500"
                " FROM journals j, accounts a"
                " WHERE j.reference = 'theft' AND a.code IN ('clearing', 'fee_revenue')"
            )
        )

    report = await reconcile_database(sessionmaker)

    assert [d.check for d in report.discrepancies] == ["clearing_matches_open"]


async def test_reconcile_reports_a_purchase_settled_twice(activity, sessionmaker):
    failed = activity["failed"]
    async with sessionmaker.begin() as session:
        await session.execute(
            text(
                "INSERT INTO journals (kind, reference, purchase_id, created_at)"
                " VALUES ('purchase_refund', 'again', :pid, CURRENT_TIMESTAMP)"
            ),
            {"pid": failed},
        )
        await session.execute(
            text(
                "INSERT INTO entries (journal_id, account_id, side, amount)"
                " SELECT j.id, a.id, CASE a.kind WHEN 'wallet' THEN 'credit' ELSE 'debit' END,"
                " :amount FROM journals j, accounts a"
                " WHERE j.reference = 'again' AND (a.code = 'clearing' OR a.kind = 'wallet')"
            ),
            {"amount": 1_000 * N},
        )
        await session.execute(
            text("UPDATE accounts SET balance = balance + :amount WHERE kind = 'wallet'"),
            {"amount": 1_000 * N},
        )

    report = await reconcile_database(sessionmaker)

    checks = sorted({d.check for d in report.discrepancies})
    assert checks == ["clearing_matches_open", "purchase_amounts", "settled_once"]
    assert all(
        d.subject == f"purchase {failed}"
        for d in report.discrepancies
        if d.check != "clearing_matches_open"
    )


# Postgres refuses the unbalanced entry at COMMIT (tests/store/test_ledger.py)
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_reconcile_reports_an_unbalanced_entry_on_sqlite(activity, sessionmaker):
    async with sessionmaker.begin() as session:
        await session.execute(
            text(
                "INSERT INTO entries (journal_id, account_id, side, amount)"
                " SELECT MIN(j.id), a.id, 'credit', 7 FROM journals j, accounts a"
                " WHERE a.code = 'fee_revenue'"
            )
        )

    report = await reconcile_database(sessionmaker)

    assert {d.check for d in report.discrepancies} >= {"entries_sum_zero", "journal_balanced"}
    assert "discrepancies" in report.render()
