"""Profile and PIN. The PIN and its lockout are the ones USSD uses: one row, one counter."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from gateway.keys import db_key
from gateway.security import pins
from tests.api.helpers import OTHER_PHONE, PIN, bearer, set_pin, signup, user_id


async def test_profile_update_changes_only_what_is_sent(client):
    tokens = await signup(client, email="ada@example.com")

    response = await client.patch("/api/v1/me", json={"name": "Ada N. Obi"}, headers=bearer(tokens))

    assert response.status == 200
    profile = await response.json()
    assert profile["name"] == "Ada N. Obi"
    assert profile["email"] == "ada@example.com"
    removed = await client.patch("/api/v1/me", json={"email": None}, headers=bearer(tokens))
    assert (await removed.json())["email"] is None


async def test_profile_update_refuses_another_accounts_email_and_unknown_fields(client):
    await signup(client, OTHER_PHONE, email="taken@example.com")
    tokens = await signup(client)

    taken = await client.patch(
        "/api/v1/me", json={"email": "TAKEN@example.com"}, headers=bearer(tokens)
    )
    phone = await client.patch("/api/v1/me", json={"phone": OTHER_PHONE}, headers=bearer(tokens))
    no_name = await client.patch("/api/v1/me", json={"name": None}, headers=bearer(tokens))

    assert taken.status == 409
    assert (await taken.json())["error"]["code"] == "email_taken"
    assert phone.status == 422
    assert no_name.status == 422


@pytest.mark.parametrize("weak", ["0000", "7777", "1234", "9876", "8901", "4567"])
async def test_weak_pins_are_refused(client, weak):
    tokens = await signup(client)  # phone 08031234567: its last four are 4567

    response = await client.put("/api/v1/me/pin", json={"pin": weak}, headers=bearer(tokens))

    assert response.status == 422
    body = await response.json()
    assert body["error"]["code"] == "weak_pin"
    assert weak not in body["error"]["message"]


async def test_set_then_change_the_pin_with_the_current_one(client):
    tokens = await signup(client)
    await set_pin(client, tokens)

    missing = await client.put("/api/v1/me/pin", json={"pin": "1357"}, headers=bearer(tokens))
    changed = await client.put(
        "/api/v1/me/pin", json={"pin": "1357", "current_pin": PIN}, headers=bearer(tokens)
    )

    assert missing.status == 422
    assert changed.status == 204
    profile = await (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    assert profile["pin"] == "set"


async def test_three_wrong_current_pins_lock_for_thirty_minutes(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    change = {"pin": "1357", "current_pin": "9999"}

    first = await client.put("/api/v1/me/pin", json=change, headers=bearer(tokens))
    second = await client.put("/api/v1/me/pin", json=change, headers=bearer(tokens))
    third = await client.put("/api/v1/me/pin", json=change, headers=bearer(tokens))
    right = await client.put(
        "/api/v1/me/pin", json={"pin": "1357", "current_pin": PIN}, headers=bearer(tokens)
    )

    assert first.status == second.status == 403
    assert (await first.json())["error"]["details"]["attempts_left"] == 2
    assert (await second.json())["error"]["details"]["attempts_left"] == 1
    assert third.status == right.status == 423
    assert 0 < int(right.headers["Retry-After"]) <= 1800
    profile = await (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    assert profile["pin"] == "locked"

    clock.advance(timedelta(minutes=30).total_seconds())
    after = await client.put(
        "/api/v1/me/pin", json={"pin": "1357", "current_pin": PIN}, headers=bearer(tokens)
    )
    assert after.status == 204


async def test_the_lock_is_shared_with_other_channels(client, clock):
    """A USSD session calls `pins.check_pin` directly; its misses lock the web too."""
    tokens = await signup(client)
    await set_pin(client, tokens)
    db, uid = client.app[db_key], await user_id(client)
    for _ in range(pins.MAX_ATTEMPTS):
        await pins.check_pin(db, uid, "9999", clock.now())

    response = await client.put(
        "/api/v1/me/pin", json={"pin": "1357", "current_pin": PIN}, headers=bearer(tokens)
    )

    assert response.status == 423
    check = await pins.check_pin(db, uid, PIN, clock.now())
    assert check.status is pins.PinStatus.LOCKED


async def test_parallel_guesses_cannot_check_more_than_three_pins(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    db, uid = client.app[db_key], await user_id(client)

    results = await asyncio.gather(
        *(pins.check_pin(db, uid, f"{n:04d}", clock.now()) for n in range(3000, 3008))
    )

    statuses = sorted(r.status.value for r in results)
    assert statuses.count("wrong") == pins.MAX_ATTEMPTS
    assert statuses.count("locked") == 8 - pins.MAX_ATTEMPTS
    assert (await pins.check_pin(db, uid, PIN, clock.now())).status is pins.PinStatus.LOCKED


async def test_a_right_pin_resets_the_count(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    db, uid = client.app[db_key], await user_id(client)
    await pins.check_pin(db, uid, "9999", clock.now())
    await pins.check_pin(db, uid, "9999", clock.now())

    assert (await pins.check_pin(db, uid, PIN, clock.now())).ok
    wrong = await pins.check_pin(db, uid, "9999", clock.now())
    assert wrong.attempts_left == 2
