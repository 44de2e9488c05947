"""A new e-mail becomes the account's only with the SMS code sent to the account's phone.

The attacks: a stolen session swapping the address in one `PATCH /me`; a squatter holding an
address by asking for it (a pending request reserves nothing: the first to confirm gets it);
guessing the code.
"""

from __future__ import annotations

from sqlalchemy import func, select

from gateway.keys import db_key
from gateway.store.tables import Outbox
from gateway.texts import account
from tests.api.helpers import OTHER_PHONE, PHONE, bearer, signup, sms_code


async def _profile(client, tokens) -> dict:
    response = await client.get("/api/v1/me", headers=bearer(tokens))
    assert response.status == 200
    return await response.json()


async def _ask(client, tokens, email: str):
    return await client.post("/api/v1/me/email", json={"email": email}, headers=bearer(tokens))


async def _confirm(client, tokens, code: str):
    return await client.post(
        "/api/v1/me/email/confirm", json={"code": code}, headers=bearer(tokens)
    )


async def test_a_session_cannot_set_an_email_with_patch_me(client):
    tokens = await signup(client, email="ada@example.com")

    response = await client.patch(
        "/api/v1/me", json={"email": "thief@example.com"}, headers=bearer(tokens)
    )

    assert response.status == 422
    assert (await response.json())["error"]["details"]["fields"][0]["field"] == "body.email"
    assert (await _profile(client, tokens))["email"] == "ada@example.com"


async def test_the_new_email_is_the_accounts_only_after_the_phones_code(client):
    tokens = await signup(client, email="ada@example.com")

    asked = await _ask(client, tokens, "Ada.New@Example.com")
    before = await _profile(client, tokens)
    code = await sms_code(client.app[db_key], PHONE)
    confirmed = await _confirm(client, tokens, code)

    assert asked.status == 202
    assert (await asked.json())["pending_email"] == "ada.new@example.com"
    assert before["email"] == "ada@example.com"
    assert confirmed.status == 200
    assert (await confirmed.json())["email"] == "ada.new@example.com"
    async with client.app[db_key]() as session:
        last_sms = await session.scalar(select(Outbox.body).order_by(Outbox.id.desc()).limit(1))
    assert last_sms == account.email_changed().body
    login = await client.post(
        "/api/v1/auth/login",
        json={"email": "ada.new@example.com", "password": "correct horse 42"},
    )
    assert login.status == 200


async def test_a_pending_request_reserves_nothing_the_first_confirmation_wins(client):
    squatter = await signup(client, OTHER_PHONE)
    owner = await signup(client)

    squatter_asked = await _ask(client, squatter, "ada@example.com")
    squatter_code = await sms_code(client.app[db_key], OTHER_PHONE)
    owner_asked = await _ask(client, owner, "ada@example.com")  # not blocked by the request
    owner_code = await sms_code(client.app[db_key], PHONE)
    owner_confirmed = await _confirm(client, owner, owner_code)
    squatter_confirmed = await _confirm(client, squatter, squatter_code)

    assert squatter_asked.status == owner_asked.status == 202
    assert owner_confirmed.status == 200
    assert squatter_confirmed.status == 409
    assert (await squatter_confirmed.json())["error"]["code"] == "email_taken"
    assert (await _profile(client, squatter))["email"] is None
    assert (await _profile(client, owner))["email"] == "ada@example.com"


async def test_asking_for_an_address_another_account_holds_is_409_and_texts_nothing(client):
    await signup(client, OTHER_PHONE, email="taken@example.com")
    tokens = await signup(client)
    async with client.app[db_key]() as session:
        texts_before = await session.scalar(select(func.count()).select_from(Outbox))

    response = await _ask(client, tokens, "TAKEN@example.com")

    assert response.status == 409
    assert (await response.json())["error"]["code"] == "email_taken"
    async with client.app[db_key]() as session:
        assert await session.scalar(select(func.count()).select_from(Outbox)) == texts_before


async def test_a_wrong_code_changes_nothing_and_counts_a_try(client):
    tokens = await signup(client, email="ada@example.com")
    await _ask(client, tokens, "thief@example.com")
    code = await sms_code(client.app[db_key], PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = await _confirm(client, tokens, wrong)

    assert response.status == 422
    body = await response.json()
    assert body["error"]["code"] == "invalid_code"
    assert body["error"]["details"]["attempts_left"] == 4
    assert (await _profile(client, tokens))["email"] == "ada@example.com"


async def test_a_code_confirms_only_the_latest_request(client):
    tokens = await signup(client)
    await _ask(client, tokens, "first@example.com")
    first_code = await sms_code(client.app[db_key], PHONE)
    await _ask(client, tokens, "second@example.com")
    second_code = await sms_code(client.app[db_key], PHONE)

    old = await _confirm(client, tokens, first_code) if first_code != second_code else None
    new = await _confirm(client, tokens, second_code)

    if old is not None:
        assert old.status == 422
    assert new.status == 200
    assert (await new.json())["email"] == "second@example.com"


async def test_email_codes_are_limited_to_three_per_quarter_hour(client):
    tokens = await signup(client)

    statuses = [(await _ask(client, tokens, f"ada{i}@example.com")).status for i in range(4)]

    assert statuses == [202, 202, 202, 429]
