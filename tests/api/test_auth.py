"""Sign-up with an SMS code, login, refresh rotation with reuse detection, logout.

The story: a newcomer registers, reads the code from the SMS (the outbox here), verifies and
is logged in. Refresh tokens work once; presenting a rotated one ends the whole session.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from gateway.keys import db_key
from gateway.phones import normalize_phone
from gateway.security.otp import MAX_ATTEMPTS
from gateway.store import users
from gateway.store.tables import Outbox, User
from tests.api.helpers import (
    OTHER_PHONE,
    PASSWORD,
    PHONE,
    bearer,
    login,
    register,
    signup,
    sms_code,
    verify,
)


async def test_register_texts_a_code_and_creates_nothing_yet(client, sessionmaker):
    response = await register(client, email="ada@example.com")

    assert response.status == 201
    body = await response.json()
    assert body["phone"] == "+2348031234567"
    assert body["status"] == "verification_required"
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        sms = (await session.execute(select(Outbox.body, Outbox.channel))).one()
    assert sms.channel == "sms"
    assert "PayLink code" in sms.body
    assert len(await sms_code(sessionmaker, PHONE)) == 6


async def test_verify_phone_creates_the_user_and_logs_in(client):
    tokens = await signup(client, email="Ada@Example.com")

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    me = await client.get("/api/v1/me", headers=bearer(tokens))
    assert me.status == 200
    profile = await me.json()
    assert profile["phone"] == "+2348031234567"
    assert profile["email"] == "ada@example.com"
    assert profile["pin"] == "not_set"


async def test_a_wrong_code_counts_and_the_code_dies_after_five_tries(client):
    registration_id = (await (await register(client)).json())["registration_id"]
    code = await sms_code(_db(client), PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, MAX_ATTEMPTS):
        response = await verify(client, PHONE, wrong, registration_id)
        body = await response.json()
        assert body["error"]["code"] == "invalid_code"
        assert body["error"]["details"]["attempts_left"] == MAX_ATTEMPTS - attempt
    await verify(client, PHONE, wrong, registration_id)
    # even the right code is refused now: ask for a new one
    response = await verify(client, PHONE, code, registration_id)
    assert response.status == 422
    assert (await response.json())["error"]["code"] == "code_expired"


def _db(client):
    return client.app[db_key]


async def test_a_code_expires_after_ten_minutes(client, clock):
    registration_id = (await (await register(client)).json())["registration_id"]
    code = await sms_code(_db(client), PHONE)
    clock.advance(timedelta(minutes=10, seconds=1).total_seconds())

    response = await verify(client, PHONE, code, registration_id)

    assert response.status == 422
    assert (await response.json())["error"]["code"] == "code_expired"


async def test_a_registered_phone_cannot_register_again(client):
    await signup(client)

    response = await register(client)

    assert response.status == 409
    assert (await response.json())["error"]["code"] == "already_registered"


async def test_an_email_of_another_account_is_refused(client):
    await signup(client, email="ada@example.com")

    response = await register(client, OTHER_PHONE, email="ADA@example.com")

    assert response.status == 409
    assert (await response.json())["error"]["code"] == "email_taken"


async def test_a_ussd_customer_proves_the_phone_and_keeps_the_wallet(client, clock):
    async with _db(client).begin() as session:
        ussd_user, _ = await users.get_or_create(session, normalize_phone(PHONE), now=clock.now())

    tokens = await signup(client, name="Musa")

    me = await (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    assert me["id"] == ussd_user.id
    assert me["name"] == "Musa"
    assert (await login(client)).status == 200


async def test_an_unverified_registration_cannot_log_in(client):
    await register(client)

    response = await login(client)

    assert response.status == 401
    assert (await response.json())["error"]["code"] == "invalid_credentials"


async def test_login_by_phone_in_any_form_or_by_email(client):
    await signup(client, email="ada@example.com")

    for payload in (
        {"phone": "+2348031234567", "password": PASSWORD},
        {"phone": "2348031234567", "password": PASSWORD},
        {"email": "ADA@example.com", "password": PASSWORD},
    ):
        response = await client.post("/api/v1/auth/login", json=payload)
        assert response.status == 200, payload
        body = await response.json()
        assert set(body) == {
            "access_token",
            "refresh_token",
            "token_type",
            "expires_in",
            "refresh_expires_in",
        }


async def test_login_needs_exactly_one_identifier(client):
    response = await client.post("/api/v1/auth/login", json={"password": PASSWORD})
    assert response.status == 422
    response = await client.post(
        "/api/v1/auth/login",
        json={"phone": PHONE, "email": "a@b.co", "password": PASSWORD},
    )
    assert response.status == 422


async def test_wrong_password_and_unknown_phone_look_the_same(client):
    await signup(client)

    wrong = await login(client, password="not the password")
    unknown = await login(client, phone=OTHER_PHONE)

    assert wrong.status == unknown.status == 401
    assert (await wrong.json())["error"] == (await unknown.json())["error"]
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


async def test_login_is_rate_limited_per_account_with_retry_after(client, settings):
    await signup(client)
    for _ in range(settings.login_limit_per_account):
        assert (await login(client, password="wrong password")).status == 401

    response = await login(client)  # even the right password: the limit comes first

    assert response.status == 429
    body = await response.json()
    assert body["error"]["code"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= settings.login_window_s
    assert body["error"]["details"]["retry_after_s"] == retry_after


async def test_a_successful_login_resets_the_account_counter(client, settings):
    await signup(client)
    for _ in range(settings.login_limit_per_account - 1):
        await login(client, password="wrong password")
    assert (await login(client)).status == 200
    for _ in range(settings.login_limit_per_account - 1):
        assert (await login(client, password="wrong password")).status == 401
    assert (await login(client)).status == 200


async def test_refresh_rotates_both_tokens(client):
    tokens = await signup(client)

    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )

    assert response.status == 200
    fresh = await response.json()
    assert fresh["access_token"] != tokens["access_token"]
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert (await client.get("/api/v1/me", headers=bearer(fresh))).status == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client, settings, clock):
    stolen = await signup(client)
    rotated = await (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    ).json()
    clock.advance(settings.jwt_refresh_grace_s)  # past the grace for a reloaded page

    reuse = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]}
    )

    assert reuse.status == 401
    assert (await reuse.json())["error"]["code"] == "token_reused"
    # the legitimate holder's newer tokens die with the family
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert again.status == 401
    assert (await client.get("/api/v1/me", headers=bearer(rotated))).status == 401
    # other sessions of the same user are untouched
    assert (await login(client)).status == 200


async def test_logout_revokes_the_access_and_refresh_tokens(client):
    tokens = await signup(client)
    other_session = await (await login(client)).json()

    response = await client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": tokens["refresh_token"]},
        headers=bearer(tokens),
    )

    assert response.status == 204
    me = await client.get("/api/v1/me", headers=bearer(tokens))
    assert me.status == 401
    assert (await me.json())["error"]["code"] == "token_revoked"
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status == 401
    assert (await client.get("/api/v1/me", headers=bearer(other_session))).status == 200


async def test_logout_with_an_empty_body_ends_the_session_too(client):
    tokens = await signup(client)

    assert (await client.post("/api/v1/auth/logout", json={}, headers=bearer(tokens))).status == 204

    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status == 401


async def test_a_suspended_account_cannot_log_in_or_refresh(client):
    tokens = await signup(client)
    async with _db(client).begin() as session:
        await session.execute(update(User).values(status="suspended"))

    assert (await login(client)).status == 403
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status == 401
    assert (await refresh.json())["error"]["code"] == "account_inactive"
