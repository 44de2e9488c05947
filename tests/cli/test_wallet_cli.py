"""`paylink wallet credit|balance|statement`: idempotent credits, every phone form, clear errors."""

from __future__ import annotations

import getpass
import socket

import pytest
from sqlalchemy import select

from gateway.store.tables import Journal
from tests.cli.conftest import cli_env, paylink


@pytest.fixture
def env(db_url, sessionmaker):
    return cli_env(db_url)


async def test_a_credit_is_applied_once_per_reference(env, capsys):
    assert (
        await paylink(env, "wallet", "credit", "08031234567", "1500.50", "--reference", "t1") == 0
    )
    assert (
        await paylink(env, "wallet", "credit", "+2348031234567", "1500.50", "--reference", "t1")
        == 0
    )
    assert await paylink(env, "wallet", "balance", "2348031234567") == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "credited N1,500.50 to +2348031234567 (reference t1)"
    assert out[2] == "reference t1 was already credited to +2348031234567; nothing moved"
    assert out[-1] == "+2348031234567 N1,500.50"


async def test_the_statement_lists_ledger_lines_newest_first(env, capsys):
    await paylink(env, "wallet", "credit", "08031234567", "100", "--reference", "a")
    await paylink(env, "wallet", "credit", "08031234567", "250", "--reference", "b")
    capsys.readouterr()

    assert await paylink(env, "wallet", "statement", "08031234567") == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "+2348031234567 balance N350"
    assert "N250" in lines[1]
    assert lines[1].endswith("credit:b")
    assert lines[2].endswith("credit:a")


async def test_an_unknown_wallet_is_empty(env, capsys):
    assert await paylink(env, "wallet", "balance", "08099999999") == 0
    assert await paylink(env, "wallet", "statement", "08099999999") == 0
    assert capsys.readouterr().out.splitlines() == [
        "+2348099999999 N0",
        "+2348099999999 balance N0",
        "no ledger lines",
    ]


async def test_a_reference_reused_for_another_amount_is_refused(env, capsys):
    await paylink(env, "wallet", "credit", "08031234567", "100", "--reference", "r")

    code = await paylink(env, "wallet", "credit", "08031234567", "200", "--reference", "r")

    assert code == 2
    assert capsys.readouterr().err == "paylink: reference 'r' was used for another credit\n"
    assert await paylink(env, "wallet", "balance", "08031234567") == 0
    assert capsys.readouterr().out.strip() == "+2348031234567 N100"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["wallet", "credit", "0803123", "100", "--reference", "r"], "not a Nigerian mobile"),
        (["wallet", "credit", "08031234567", "1.234", "--reference", "r"], "not a naira amount"),
        (["wallet", "credit", "08031234567", "-5", "--reference", "r"], "not a naira amount"),
        (["wallet", "credit", "08031234567", "0", "--reference", "r"], "more than 0"),
        (["wallet", "credit", "08031234567", "100"], "--reference"),
        (["wallet", "balance", "hello"], "not a Nigerian mobile"),
        (["outbox", "--phone", "123"], "not a Nigerian mobile"),
        (["requery", "--older-than", "soon"], "not a duration"),
    ],
)
async def test_user_errors_exit_2_without_a_traceback(env, capsys, argv, message):
    with pytest.raises(SystemExit) as exited:
        await paylink(env, *argv)

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


async def _journal(sessionmaker, reference: str):
    async with sessionmaker() as session:
        return (
            await session.execute(
                select(Journal.actor, Journal.actor_ip).where(
                    Journal.reference == f"credit:{reference}"
                )
            )
        ).one_or_none()


async def test_a_cli_credit_names_the_os_user_and_host_on_the_journal(env, sessionmaker):
    assert await paylink(env, "wallet", "credit", "08031234567", "100", "--reference", "w1") == 0

    journal = await _journal(sessionmaker, "w1")

    assert journal.actor == f"cli:{getpass.getuser()}@{socket.gethostname()}"
    assert journal.actor_ip is None


async def test_a_cli_credit_above_the_ceiling_exits_2_and_moves_nothing(env, sessionmaker, capsys):
    env = {**env, "PAYLINK_OPERATOR_CREDIT_MAX": "1000"}

    code = await paylink(env, "wallet", "credit", "08031234567", "1000.01", "--reference", "big")

    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("paylink: a single operator credit may be at most N1,000")
    assert "PAYLINK_OPERATOR_CREDIT_MAX" in err
    assert await _journal(sessionmaker, "big") is None
    assert await paylink(env, "wallet", "credit", "08031234567", "1000", "--reference", "ok") == 0
