"""Suspended accounts and the per-account login limit, tried as an attacker would.

The story: a customer's account is taken over and reported; an operator suspends it. The
thief's access token must die at the next request (not in 15 minutes), every refresh token
with it, for good. Separately, a password guesser who rotates between the account's names
(0803..., +234803..., the email) still gets only the per-account number of tries.
"""

from __future__ import annotations

from sqlalchemy import update

from gateway.api.keys import api_auth_key
from gateway.keys import db_key
from gateway.store.tables import User
from tests.api.helpers import (
    OTHER_PHONE,
    PASSWORD,
    airtime,
    bearer,
    idem,
    login,
    ready_buyer,
    set_role,
    signup,
    user_id,
)

THIRD_PHONE = "07061234567"


async def _operator(client, phone: str = OTHER_PHONE, role: str = "operator") -> dict:
    await signup(client, phone)
    await set_role(client, phone, role)
    return await (await login(client, phone)).json()


async def _suspend(client, operator: dict, target: int, action: str = "suspend"):
    return await client.post(f"/api/v1/operator/users/{target}/{action}", headers=bearer(operator))


async def _refresh(client, tokens: dict):
    return await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )


async def test_a_suspended_users_access_token_is_refused_at_the_next_request(client):
    thief = await ready_buyer(client)
    assert (await client.get("/api/v1/me", headers=bearer(thief))).status == 200
    operator = await _operator(client)

    suspended = await _suspend(client, operator, await user_id(client))

    assert suspended.status == 200
    assert (await suspended.json())["status"] == "suspended"
    me = await client.get("/api/v1/me", headers=bearer(thief))
    assert me.status == 401
    bought = await client.post(
        "/api/v1/purchases", json=airtime(100), headers={**bearer(thief), **idem()}
    )
    assert bought.status == 401
    assert (await client.get("/api/v1/wallet", headers=bearer(thief))).status == 401


async def test_a_status_set_in_the_database_alone_stops_the_token_at_once(client):
    """No token store involved (a suspension or closure made in SQL): the status read on
    every request is what stops the token, not the revoked sessions."""
    suspended_user = await signup(client)
    closed_user = await signup(client, OTHER_PHONE)
    async with client.app[db_key].begin() as session:
        await session.execute(
            update(User).where(User.phone == "+2348031234567").values(status="suspended")
        )
        await session.execute(
            update(User).where(User.phone == "+2348129876543").values(status="closed")
        )

    suspended = await client.get("/api/v1/me", headers=bearer(suspended_user))
    closed = await client.get("/api/v1/me", headers=bearer(closed_user))

    assert suspended.status == closed.status == 401
    assert (await suspended.json())["error"]["code"] == "account_inactive"
    assert (await closed.json())["error"]["code"] == "account_inactive"


async def test_a_deleted_users_token_is_refused(client):
    ghost = await client.app[api_auth_key].issue(987_654_321, "user")  # no such user (any more)

    deleted = await client.get("/api/v1/me", headers=bearer({"access_token": ghost.access_token}))

    assert deleted.status == 401
    assert (await deleted.json())["error"]["code"] == "account_inactive"


async def test_suspension_ends_every_session_even_after_reactivation(client):
    first = await signup(client)
    second = await (await login(client)).json()
    operator = await _operator(client)
    target = await user_id(client)

    assert (await _suspend(client, operator, target)).status == 200
    assert (await _refresh(client, first)).status == 401
    reactivated = await _suspend(client, operator, target, "reactivate")

    assert reactivated.status == 200
    assert (await reactivated.json())["status"] == "active"
    for stolen in (first, second):  # the thief's copies stay dead
        assert (await _refresh(client, stolen)).status == 401
        assert (await client.get("/api/v1/me", headers=bearer(stolen))).status == 401
    fresh = await login(client)  # the owner logs in again
    assert fresh.status == 200
    assert (await client.get("/api/v1/me", headers=bearer(await fresh.json()))).status == 200


async def test_suspending_is_for_operators_over_lower_roles_only(client):
    user = await signup(client)
    operator = await _operator(client)
    admin = await _operator(client, THIRD_PHONE, role="admin")
    user_target = await user_id(client)
    operator_target = await user_id(client, OTHER_PHONE)
    admin_target = await user_id(client, THIRD_PHONE)

    by_user = await _suspend(client, user, operator_target)
    peer_or_higher = await _suspend(client, operator, admin_target)
    self_lockout = await _suspend(client, admin, admin_target)
    anonymous = await client.post(f"/api/v1/operator/users/{user_target}/suspend")

    assert by_user.status == 403
    assert peer_or_higher.status == 403
    assert self_lockout.status == 403
    assert anonymous.status == 401
    assert (await client.get("/api/v1/me", headers=bearer(admin))).status == 200
    assert (await _suspend(client, admin, operator_target)).status == 200
    assert (await client.get("/api/v1/me", headers=bearer(operator))).status == 401


async def test_suspend_an_unknown_or_closed_account(client):
    tokens = await signup(client)
    operator = await _operator(client)
    target = await user_id(client)
    async with client.app[db_key].begin() as session:
        await session.execute(update(User).where(User.id == target).values(status="closed"))

    missing = await _suspend(client, operator, 987_654_321)
    closed = await _suspend(client, operator, target, "reactivate")

    assert missing.status == 404
    assert closed.status == 409
    assert (await closed.json())["error"]["code"] == "account_closed"
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).status == 401


async def test_login_guesses_count_on_the_account_whatever_name_is_typed(client, settings):
    await signup(client, email="ada@example.com")
    for _ in range(settings.login_limit_per_account):
        wrong = await client.post(
            "/api/v1/auth/login", json={"phone": "08031234567", "password": "wrong password"}
        )
        assert wrong.status == 401

    by_e164 = await client.post(
        "/api/v1/auth/login", json={"phone": "+2348031234567", "password": "another guess"}
    )
    by_email = await client.post(
        "/api/v1/auth/login", json={"email": "ADA@example.com", "password": "a third guess"}
    )
    right_by_email = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )

    assert by_e164.status == by_email.status == right_by_email.status == 429
    assert (await by_email.json())["error"]["code"] == "rate_limited"


async def test_guesses_by_email_then_phone_add_up(client, settings):
    await signup(client, email="ada@example.com")
    half = settings.login_limit_per_account // 2
    for _ in range(half):
        await client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": "guess"}
        )
    for _ in range(settings.login_limit_per_account - half):
        await login(client, phone="2348031234567", password="guess")

    assert (await login(client)).status == 429
