"""Profile and PIN. The PIN and its lockout are the ones USSD uses: one row, one counter.

The lockout story, as an attacker with a stolen session would try it: three wrong PINs lock
for 30 minutes; the third lock within 24 hours stays until the owner resets the PIN with the
account password or an SMS code, so waiting out locks (144 guesses a day) is no way in. A lock
is always answered 423 `pin_locked`, never "wrong PIN", and the owner is texted when it happens.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from gateway.api.times import format_timestamp
from gateway.clock import LAGOS
from gateway.gsm7 import septets, to_gsm7
from gateway.keys import db_key, settings_key
from gateway.security import pins
from gateway.security.keys import pin_service_key
from gateway.security.pin_lockout import LOCK_DURATION
from gateway.store.tables import Outbox, User
from gateway.texts import account
from tests.api.helpers import (
    OTHER_PHONE,
    PASSWORD,
    PHONE,
    PIN,
    airtime,
    bearer,
    fund,
    idem,
    login,
    set_pin,
    signup,
    sms_code,
    user_id,
)


async def test_profile_update_changes_only_what_is_sent(client):
    tokens = await signup(client, email="ada@example.com")

    response = await client.patch("/api/v1/me", json={"name": "Ada N. Obi"}, headers=bearer(tokens))

    assert response.status == 200
    profile = await response.json()
    assert profile["name"] == "Ada N. Obi"
    assert profile["email"] == "ada@example.com"
    removed = await client.patch("/api/v1/me", json={"email": None}, headers=bearer(tokens))
    assert (await removed.json())["email"] is None


async def test_profile_update_refuses_an_email_the_phone_and_unknown_fields(client):
    await signup(client, OTHER_PHONE, email="taken@example.com")
    tokens = await signup(client)

    email = await client.patch(
        "/api/v1/me", json={"email": "TAKEN@example.com"}, headers=bearer(tokens)
    )
    phone = await client.patch("/api/v1/me", json={"phone": OTHER_PHONE}, headers=bearer(tokens))
    no_name = await client.patch("/api/v1/me", json={"name": None}, headers=bearer(tokens))

    assert email.status == 422  # a new email needs the SMS code: tests/api/test_email_change.py
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
    assert (await missing.json())["error"]["code"] == "current_pin_required"
    assert changed.status == 204
    profile = await (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    assert profile["pin"] == "set"


NEW_PIN = "1357"
WRONG = "9999"


async def relogin(client) -> dict:
    """Fresh tokens: moving the clock past 15 minutes expires the access token."""
    response = await login(client)
    assert response.status == 200, await response.text()
    return await response.json()


async def lock(client, clock, uid: int) -> pins.PinCheck:
    """Three wrong PINs (as a USSD attacker would send them); the last answer."""
    checks = [await client.app[pin_service_key].check(uid, WRONG) for _ in range(pins.MAX_ATTEMPTS)]
    return checks[-1]


async def hard_lock(client, clock, uid: int) -> None:
    """Three locks within 24 hours: each 30-minute lock waited out, then locked again."""
    for _ in range(2):
        await lock(client, clock, uid)
        clock.advance(LOCK_DURATION.total_seconds())
    assert (await lock(client, clock, uid)).reset_required


async def lockout_row(client, uid: int):
    async with client.app[db_key]() as session:
        return (
            await session.execute(
                select(User.pin_failed_count, User.pin_locked_until, User.pin_reset_required).where(
                    User.id == uid
                )
            )
        ).one()


async def texts(client, phone: str = PHONE) -> list[str]:
    async with client.app[db_key]() as session:
        rows = await session.scalars(
            select(Outbox.body).where(Outbox.phone == "+234" + phone[1:]).order_by(Outbox.id)
        )
        return list(rows)


async def buy(client, tokens, pin: str):
    headers = {**bearer(tokens), **idem()}
    return await client.post("/api/v1/purchases", json=airtime(500, pin=pin), headers=headers)


async def change(client, tokens, current: str):
    body = {"pin": NEW_PIN, "current_pin": current}
    return await client.put("/api/v1/me/pin", json=body, headers=bearer(tokens))


async def test_three_wrong_current_pins_lock_for_thirty_minutes(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)

    first = await change(client, tokens, WRONG)
    second = await change(client, tokens, WRONG)
    third = await change(client, tokens, WRONG)
    right = await change(client, tokens, PIN)

    assert first.status == second.status == 403
    assert (await first.json())["error"]["details"]["attempts_left"] == 2
    assert (await second.json())["error"]["details"]["attempts_left"] == 1
    assert third.status == right.status == 423
    assert 0 < int(right.headers["Retry-After"]) <= 1800
    profile = await (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    assert profile["pin"] == "locked"

    clock.advance(timedelta(minutes=30).total_seconds())
    assert (await change(client, await relogin(client), PIN)).status == 204


async def test_the_miss_that_locks_is_answered_locked_with_its_end_not_wrong_pin(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    await change(client, tokens, WRONG)
    await change(client, tokens, WRONG)

    third = await change(client, tokens, WRONG)

    assert third.status == 423
    error = (await third.json())["error"]
    until = format_timestamp(clock.now() + LOCK_DURATION)  # the API's one format
    assert error["code"] == "pin_locked"
    assert error["details"] == {"locked_until": until, "reset_required": False}


async def test_the_lock_is_shared_with_other_channels(client, clock):
    """A USSD session calls `pins.check_pin` directly; its misses lock the web too."""
    tokens = await signup(client)
    await set_pin(client, tokens)
    uid = await user_id(client)
    await lock(client, clock, uid)

    response = await change(client, tokens, PIN)

    assert response.status == 423
    check = await client.app[pin_service_key].check(uid, PIN)
    assert check.status is pins.PinStatus.LOCKED


async def test_parallel_guesses_cannot_check_more_than_three_pins(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    uid = await user_id(client)

    results = await asyncio.gather(
        *(client.app[pin_service_key].check(uid, f"{n:04d}") for n in range(3000, 3008))
    )

    statuses = sorted(r.status.value for r in results)
    assert statuses.count("wrong") == pins.MAX_ATTEMPTS - 1  # the third miss answers "locked"
    assert statuses.count("locked") == 8 - (pins.MAX_ATTEMPTS - 1)
    assert (await lockout_row(client, uid)).pin_failed_count == pins.MAX_ATTEMPTS
    assert len(await texts(client)) == 2  # the sign-up code, then one lock notice
    assert (await client.app[pin_service_key].check(uid, PIN)).status is pins.PinStatus.LOCKED


async def test_a_right_pin_resets_the_count(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    uid = await user_id(client)
    await client.app[pin_service_key].check(uid, WRONG)
    await client.app[pin_service_key].check(uid, WRONG)

    assert (await client.app[pin_service_key].check(uid, PIN)).ok
    wrong = await client.app[pin_service_key].check(uid, WRONG)
    assert wrong.attempts_left == 2


async def test_a_third_lock_within_a_day_is_423_until_reset_without_locked_until(client, clock):
    await set_pin(client, await signup(client))
    uid = await user_id(client)
    await hard_lock(client, clock, uid)
    clock.advance(timedelta(days=3).total_seconds())  # waiting no longer unlocks it
    tokens = await relogin(client)

    response = await change(client, tokens, PIN)

    assert response.status == 423
    assert "Retry-After" not in response.headers
    error = (await response.json())["error"]
    assert error["code"] == "pin_locked"
    assert error["details"] == {"locked_until": None, "reset_required": True}
    profile = await (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    assert (profile["pin"], profile["pin_locked_until"]) == ("locked", None)
    assert profile["pin_reset_required"] is True


async def test_a_right_pin_between_locks_does_not_wipe_the_attackers_locks(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    uid = await user_id(client)
    for _ in range(2):
        await lock(client, clock, uid)
        clock.advance(LOCK_DURATION.total_seconds())
        assert (await client.app[pin_service_key].check(uid, PIN)).ok  # the owner buys meanwhile

    assert (await lock(client, clock, uid)).reset_required


async def test_locks_more_than_a_day_apart_stay_thirty_minutes(client, clock):
    """The window slides: the third lock counts only the two before it within 24 hours."""
    tokens = await signup(client)
    await set_pin(client, tokens)
    uid = await user_id(client)
    for gap_hours in (13, 12):  # locks at 0 h, 13 h and 25 h: never three within a day
        await lock(client, clock, uid)
        clock.advance(timedelta(hours=gap_hours).total_seconds())

    third_at = clock.now()
    third = await lock(client, clock, uid)
    clock.advance(timedelta(hours=1).total_seconds())  # 26 h: the 13 h and 25 h locks are near
    fourth = await lock(client, clock, uid)

    assert (third.reset_required, third.locked_until) == (False, third_at + LOCK_DURATION)
    assert fourth.reset_required


async def test_a_lock_texts_the_owner_until_when_in_lagos_time(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)

    await lock(client, clock, await user_id(client))

    notice = (await texts(client))[-1]
    until = (clock.now() + LOCK_DURATION).astimezone(LAGOS)
    assert f"locked until {until:%H:%M} (Lagos time)" in notice
    assert WRONG not in notice
    assert PIN not in notice
    assert to_gsm7(notice) == notice
    assert septets(notice) <= 160


async def test_a_hard_lock_texts_the_owner_how_to_reset(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)

    await hard_lock(client, clock, await user_id(client))

    notices = (await texts(client))[1:]
    assert len(notices) == 3  # one per lock
    assert "locked until you reset it" in notices[-1]
    assert "web app with your password or an SMS code" in notices[-1]
    assert to_gsm7(notices[-1]) == notices[-1]
    assert septets(notices[-1]) <= 160


async def test_the_password_resets_a_hard_locked_pin(client, clock):
    await set_pin(client, await signup(client))
    uid = await user_id(client)
    await hard_lock(client, clock, uid)
    tokens = await relogin(client)

    response = await client.post(
        "/api/v1/me/pin/reset",
        json={"password": PASSWORD, "pin": NEW_PIN},
        headers=bearer(tokens),
    )

    assert response.status == 204
    assert (await client.app[pin_service_key].check(uid, PIN)).status is pins.PinStatus.WRONG
    assert (await client.app[pin_service_key].check(uid, NEW_PIN)).ok
    assert tuple(await lockout_row(client, uid)) == (0, None, False)
    assert (await texts(client))[-1] == account.pin_reset().body


async def test_a_stolen_session_without_the_password_cannot_reset_the_pin(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    uid = await user_id(client)

    response = await client.post(
        "/api/v1/me/pin/reset",
        json={"password": "not the password", "pin": NEW_PIN},
        headers=bearer(tokens),
    )

    assert response.status == 403
    assert (await response.json())["error"]["code"] == "password_incorrect"
    assert (await client.app[pin_service_key].check(uid, PIN)).ok


async def test_password_guesses_at_the_pin_reset_are_rate_limited(client):
    tokens = await signup(client)
    guess = {"password": "not the password", "pin": NEW_PIN}
    limit = client.app[settings_key].login_limit_per_account
    for _ in range(limit):
        response = await client.post("/api/v1/me/pin/reset", json=guess, headers=bearer(tokens))
        assert response.status == 403

    refused = await client.post(
        "/api/v1/me/pin/reset",
        json={"password": PASSWORD, "pin": NEW_PIN},
        headers=bearer(tokens),
    )

    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) > 0


async def test_an_sms_code_resets_a_hard_locked_pin(client, clock):
    await set_pin(client, await signup(client))
    uid = await user_id(client)
    await hard_lock(client, clock, uid)
    tokens = await relogin(client)

    requested = await client.post("/api/v1/me/pin/reset/request", headers=bearer(tokens))
    code = await sms_code(client.app[db_key], PHONE)
    confirmed = await client.post(
        "/api/v1/me/pin/reset/confirm", json={"code": code, "pin": NEW_PIN}, headers=bearer(tokens)
    )

    assert requested.status == 202
    assert "code_expires_at" in await requested.json()
    assert confirmed.status == 204
    assert (await client.app[pin_service_key].check(uid, NEW_PIN)).ok
    assert (await texts(client))[-1] == account.pin_reset().body


async def test_a_wrong_sms_code_does_not_reset_the_pin(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    await client.post("/api/v1/me/pin/reset/request", headers=bearer(tokens))
    code = await sms_code(client.app[db_key], PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = await client.post(
        "/api/v1/me/pin/reset/confirm", json={"code": wrong, "pin": NEW_PIN}, headers=bearer(tokens)
    )

    assert response.status == 422
    assert (await response.json())["error"] == {
        "code": "invalid_code",
        "message": "the code is not right",
        "details": {"attempts_left": 4},
    }
    assert (await client.app[pin_service_key].check(await user_id(client), PIN)).ok


async def test_a_pin_reset_code_works_only_for_its_own_account(client, clock):
    """Another user's token cannot spend the code texted to this phone."""
    owner = await signup(client)
    await set_pin(client, owner)
    intruder = await signup(client, OTHER_PHONE)
    await client.post("/api/v1/me/pin/reset/request", headers=bearer(owner))
    code = await sms_code(client.app[db_key], PHONE)

    response = await client.post(
        "/api/v1/me/pin/reset/confirm",
        json={"code": code, "pin": NEW_PIN},
        headers=bearer(intruder),
    )

    assert response.status == 422
    assert (await response.json())["error"]["code"] == "code_expired"
    assert (await client.app[pin_service_key].check(await user_id(client), PIN)).ok


async def test_pin_reset_codes_are_limited_per_account(client):
    tokens = await signup(client)
    for _ in range(3):
        sent = await client.post("/api/v1/me/pin/reset/request", headers=bearer(tokens))
        assert sent.status == 202

    refused = await client.post("/api/v1/me/pin/reset/request", headers=bearer(tokens))

    assert refused.status == 429


async def test_concurrent_right_pin_purchases_are_never_refused(client):
    """Counting an attempt before its hash was checked refused these: 8 parallel right PINs
    reserved 8 attempts, and the third reservation locked the account against the other five."""
    tokens = await signup(client)
    await set_pin(client, tokens)
    await fund(client, PHONE, 10_000)

    responses = await asyncio.gather(*(buy(client, tokens, PIN) for _ in range(8)))

    assert [r.status for r in responses] == [202] * 8, [r.status for r in responses]
    assert tuple(await lockout_row(client, await user_id(client))) == (0, None, False)


async def test_a_right_pin_purchase_while_locked_is_answered_locked(client, clock):
    tokens = await signup(client)
    await set_pin(client, tokens)
    await fund(client, PHONE, 10_000)
    await lock(client, clock, await user_id(client))

    response = await buy(client, tokens, PIN)

    assert response.status == 423
    assert (await response.json())["error"]["code"] == "pin_locked"
