"""`--json` on the read commands: one parseable document per run, the documented keys, money
in integer kobo (never a formatted string a script would have to parse), times in ISO 8601."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import text

from tests.cli.conftest import cli_env, paylink
from tests.cli.test_ops_cli import PENDING_METER, buy
from tests.worker.harness import BUYER


def document(out: str) -> dict:
    lines = out.strip().splitlines()
    assert len(lines) == 1, out  # one document, nothing around it
    return json.loads(lines[0])


def is_iso(text: str) -> bool:
    return text.endswith("Z") and datetime.fromisoformat(text).utcoffset() is not None


async def test_wallet_balance_and_statement_as_json(db_url, sessionmaker, capsys):
    env = cli_env(db_url)
    await paylink(env, "wallet", "credit", "08031234567", "1500.50", "--reference", "a")
    await paylink(env, "wallet", "credit", "08031234567", "100", "--reference", "b")
    capsys.readouterr()

    assert await paylink(env, "wallet", "balance", "08031234567", "--json") == 0
    assert document(capsys.readouterr().out) == {
        "phone": "+2348031234567",
        "balance_kobo": 160_050,
    }

    assert await paylink(env, "wallet", "statement", "08031234567", "--json") == 0
    statement = document(capsys.readouterr().out)
    assert (statement["phone"], statement["balance_kobo"]) == ("+2348031234567", 160_050)
    newest, oldest = statement["lines"]
    assert set(newest) == {
        "journal_id",
        "created_at",
        "kind",
        "reference",
        "purchase_id",
        "purchase_reference",
        "memo",
        "amount_kobo",
    }
    assert newest["purchase_reference"] is None  # a credit is no purchase
    assert (newest["reference"], newest["amount_kobo"]) == ("credit:b", 10_000)
    assert (oldest["reference"], oldest["amount_kobo"]) == ("credit:a", 150_050)
    assert all(is_iso(line["created_at"]) for line in statement["lines"])


async def test_outbox_reconcile_and_requery_as_json(pg_harness, pg_url, capsys):
    harness = pg_harness
    delivered, failed, pending = await buy(
        harness, ["1111111111111", "1234567890123", PENDING_METER]
    )
    await harness.sim("resolve", {"request_id": pending.request_id, "status": "delivered"})
    env = cli_env(pg_url, harness.simulator)

    assert await paylink(env, "outbox", "--phone", BUYER, "--json", clock=harness.clock) == 0
    messages = document(capsys.readouterr().out)["messages"]
    # the receipts, and the SMS of the credit that funded the wallet (no purchase)
    assert {m["purchase_id"] for m in messages} == {delivered.id, failed.id, None}
    assert all(m["phone"] == "+2348031234567" and m["status"] == "sent" for m in messages)
    assert all(is_iso(m["created_at"]) and is_iso(m["sent_at"]) for m in messages)

    assert await paylink(env, "requery", "--older-than", "0s", "--json", clock=harness.clock) == 0
    assert document(capsys.readouterr().out) == {
        "requeried": 1,
        "settled": 1,
        "purchases": [
            {
                "purchase_id": pending.id,
                "reference": pending.reference,
                "request_id": pending.request_id,
                "status": "delivered",
                "held_by_worker": False,
                "error": None,
            }
        ],
    }

    assert await paylink(env, "reconcile", "--json", clock=harness.clock) == 0
    report = document(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["vtpass_asked"] is True
    assert report["requery"] == {"requeried": 0, "settled": 0, "purchases": []}
    assert report["purchases"] == {
        "initiated": 0,
        "pending": 0,
        "delivered": 2,
        "failed": 1,
        "reversed": 0,
    }
    assert report["discrepancies"] == []
    assert report["checked"]["purchases"] == 3
    paid_in = report["vtpass_float"]
    assert isinstance(paid_in["balance_kobo"], int)
    assert paid_in["delivered_through_kobo"] == delivered.face_amount + pending.face_amount
    assert paid_in["error"] is None


async def test_reconcile_json_names_each_discrepancy_and_exits_1(pg_harness, pg_url, capsys):
    harness = pg_harness
    user_id = await harness.fund(100)
    async with harness.db.begin() as session:
        await session.execute(
            text("UPDATE accounts SET balance = balance + 1 WHERE user_id = :id"), {"id": user_id}
        )

    assert await paylink(cli_env(pg_url), "reconcile", "--offline", "--json") == 1

    report = document(capsys.readouterr().out)
    assert report["ok"] is False
    assert (report["vtpass_asked"], report["requery"], report["vtpass_float"]) == (
        False,
        None,
        None,
    )
    (wrong,) = report["discrepancies"]
    assert set(wrong) == {"check", "subject", "detail"}
    assert wrong["check"] == "wallet_cache"
