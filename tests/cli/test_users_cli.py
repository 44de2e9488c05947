"""`paylink users role`: operators are made from the command line, never over the API, and
the change reaches the token a user already holds at its next request."""

from __future__ import annotations

from sqlalchemy import func, select

from gateway.keys import db_key
from gateway.store.tables import User
from tests.api.conftest import (  # noqa: F401 - the API's fixtures
    clean_pg,
    client,
    clock,
    redis_prefix,
    settings,
)
from tests.api.helpers import PHONE, bearer, signup
from tests.cli.conftest import cli_env, paylink

BACK_OFFICE = "/api/v1/operator/reconciliation"


async def test_a_user_made_operator_can_use_the_operator_routes_at_once(
    client,  # noqa: F811 - the API fixture imported above
    clean_pg,  # noqa: F811
    capsys,
):
    tokens = await signup(client, PHONE)
    assert (await client.get(BACK_OFFICE, headers=bearer(tokens))).status == 403
    env = cli_env(clean_pg)

    assert await paylink(env, "users", "role", PHONE, "operator") == 0

    captured = capsys.readouterr()
    assert captured.out == "+2348031234567 is now an operator (was user)\n"
    assert "Traceback" not in captured.err
    assert (await client.get(BACK_OFFICE, headers=bearer(tokens))).status == 200

    assert await paylink(env, "users", "role", PHONE, "user") == 0
    assert capsys.readouterr().out == "+2348031234567 is now a user (was operator)\n"
    assert (await client.get(BACK_OFFICE, headers=bearer(tokens))).status == 403


async def test_making_an_operator_twice_changes_nothing_the_second_time(
    client,  # noqa: F811 - the API fixture imported above
    clean_pg,  # noqa: F811
    capsys,
):
    await signup(client, PHONE)
    env = cli_env(clean_pg)
    assert await paylink(env, "users", "role", PHONE, "operator") == 0
    capsys.readouterr()

    assert await paylink(env, "users", "role", "+2348031234567", "operator") == 0

    assert capsys.readouterr().out == "+2348031234567 is already an operator; nothing changed\n"


async def test_an_unknown_phone_is_exit_2_and_creates_no_account(
    client,  # noqa: F811 - the API fixture imported above
    clean_pg,  # noqa: F811
    capsys,
):
    env = cli_env(clean_pg)

    assert await paylink(env, "users", "role", "08099999999", "operator") == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("paylink: no user with phone +2348099999999")
    assert len(captured.err.strip().splitlines()) == 1
    async with client.app[db_key]() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
