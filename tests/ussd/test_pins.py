"""How PINs are stored: argon2id over HMAC(pepper, PIN), cheap, and first-format hashes upgraded.

The story: a 4-digit PIN cannot be protected offline by argon2's cost (10,000 guesses), so the
hash is keyed with a server-side pepper that never sits in the database. Users who set their PIN
under the first format (plain argon2id, 19 MiB, t=2) keep it: their next right PIN verifies the
old hash once and stores the new one. A wrong PIN upgrades nothing, and a hash is worthless
without the pepper it was made under.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import event, select, update

from gateway.errors import ConfigError
from gateway.keys import engine_key
from gateway.pin_policy import RESET_HINT
from gateway.security.keys import pin_service_key
from gateway.security.passwords import hash_secret_sync
from gateway.security.pin_lockout import LOCK_DURATION, MAX_ATTEMPTS
from gateway.security.pins import (
    EMBEDDED_PEPPER,
    PinPepper,
    PinService,
    PinStatus,
    check_pin,
    hash_pin_sync,
    verify_pin_sync,
)
from gateway.settings import Secret, Settings
from gateway.store.tables import Outbox, User
from tests.ussd.conftest import JWT_SECRET, PIN, customer
from tests.ussd.helpers import RECEIVED, purchases

PEPPER = PinPepper.from_secret(Secret("p" * 40))
OTHER = PinPepper.from_secret(Secret("q" * 40))
# start-up refuses weak peppers (gateway/secret_strength.py): these pass it
PEPPER_Y = "y-pepper-0123456789abcdefghijklmnopq"
PEPPER_Z = "z-pepper-0123456789abcdefghijklmnopq"
PRODUCTION = {
    "PAYLINK_DATABASE_URL": "postgresql+psycopg://u@h/db",
    "PAYLINK_JWT_SECRET": JWT_SECRET,
    "PAYLINK_AT_CALLBACK_OPEN": "true",
}


async def stored_hash(gateway, user_id: int) -> str:
    async with gateway.db() as session:
        return await session.scalar(select(User.pin_hash).where(User.id == user_id))


async def store_hash(gateway, user_id: int, value: str) -> None:
    async with gateway.db.begin() as session:
        await session.execute(update(User).where(User.id == user_id).values(pin_hash=value))


def test_a_pin_hash_is_peppered_cheap_argon2id():
    stored = hash_pin_sync(PIN, PEPPER)
    assert stored.startswith(f"$pin2${PEPPER.id}$$argon2id$v=19$m=1024,t=1,p=1$")
    assert PIN not in stored
    assert PEPPER.key.hex() not in stored
    started = time.perf_counter()
    for _ in range(10):
        assert verify_pin_sync(stored, PIN, PEPPER) == (True, None)
    assert (time.perf_counter() - started) / 10 < 0.02  # ~0.4 ms; the first format took ~36 ms
    assert verify_pin_sync(stored, "2581", PEPPER) == (False, None)


def test_the_pepper_is_needed_to_verify():
    stored = hash_pin_sync(PIN, PEPPER)
    assert verify_pin_sync(stored, PIN, OTHER) == (False, None)
    inner = stored[len(f"$pin2${PEPPER.id}$") :]
    with pytest.raises(VerifyMismatchError):  # without the pepper the hash checks nothing
        PasswordHasher().verify(inner, PIN)
    assert "p" * 40 not in repr(PEPPER)


def test_the_pepper_comes_from_its_own_setting_else_the_jwt_secret():
    base = PRODUCTION
    from_jwt = PinPepper.from_settings(Settings.from_env(base))
    assert from_jwt == PinPepper.from_secret(Secret(JWT_SECRET))
    own = Settings.from_env(base | {"PAYLINK_PIN_PEPPER": PEPPER_Z})
    assert PinPepper.from_settings(own) == PinPepper.from_secret(Secret(PEPPER_Z))
    assert PinPepper.from_settings(Settings.from_env({})) == EMBEDDED_PEPPER  # survives restarts
    assert from_jwt.key != Secret(JWT_SECRET).value.encode()  # derived, never the JWT key itself
    with pytest.raises(ConfigError, match="PAYLINK_PIN_PEPPER"):
        Settings.from_env(base | {"PAYLINK_PIN_PEPPER": "short"})


def test_pins_set_under_the_jwt_derived_pepper_survive_setting_an_own_pepper():
    base = PRODUCTION
    before = hash_pin_sync(PIN, PinPepper.from_settings(Settings.from_env(base)))
    own = PinPepper.from_settings(Settings.from_env(base | {"PAYLINK_PIN_PEPPER": PEPPER_Z}))

    ok, upgraded = verify_pin_sync(before, PIN, own)

    assert ok
    assert upgraded is not None
    assert upgraded.startswith(f"$pin2${own.id}$")
    assert verify_pin_sync(before, "2581", own) == (False, None)


def test_a_rotated_pepper_still_verifies_under_its_previous_setting():
    base = PRODUCTION
    old = PinPepper.from_settings(Settings.from_env(base | {"PAYLINK_PIN_PEPPER": PEPPER_Y}))
    before = hash_pin_sync(PIN, old)
    rotated = Settings.from_env(
        base | {"PAYLINK_PIN_PEPPER": PEPPER_Z, "PAYLINK_PIN_PEPPER_PREVIOUS": PEPPER_Y}
    )
    current = PinPepper.from_settings(rotated)
    forgotten = PinPepper.from_settings(Settings.from_env(base | {"PAYLINK_PIN_PEPPER": PEPPER_Z}))

    ok, upgraded = verify_pin_sync(before, PIN, current)

    assert ok
    assert upgraded is not None
    assert upgraded.startswith(f"$pin2${current.id}$")
    assert verify_pin_sync(before, PIN, forgotten) == (False, None)  # unknown pepper: unchecked
    assert PEPPER_Y not in repr(current)
    assert PEPPER_Y not in repr(rotated)


def test_first_format_and_embedded_hashes_verify_and_are_replaced():
    legacy = hash_secret_sync(PIN)
    assert legacy.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_pin_sync(legacy, "2581", PEPPER) == (False, None)
    ok, upgraded = verify_pin_sync(legacy, PIN, PEPPER)
    assert ok
    assert upgraded is not None
    assert upgraded.startswith(f"$pin2${PEPPER.id}$")
    assert verify_pin_sync(upgraded, PIN, PEPPER) == (True, None)

    embedded = hash_pin_sync(PIN, EMBEDDED_PEPPER)
    ok, upgraded = verify_pin_sync(embedded, PIN, PEPPER)
    assert ok
    assert upgraded is not None
    assert upgraded.startswith(f"$pin2${PEPPER.id}$")


async def test_a_right_pin_upgrades_a_first_format_hash_in_the_database(gateway):
    user_id = await customer(gateway)
    legacy = hash_secret_sync(PIN)
    await store_hash(gateway, user_id, legacy)

    wrong = await gateway.app[pin_service_key].check(user_id, "1357")
    assert wrong.status is PinStatus.WRONG
    assert await stored_hash(gateway, user_id) == legacy  # a wrong PIN changes nothing

    assert (await gateway.app[pin_service_key].check(user_id, PIN)).ok
    upgraded = await stored_hash(gateway, user_id)
    pepper = PinPepper.from_secret(Secret(JWT_SECRET))  # what the gateway installed
    assert upgraded.startswith(f"$pin2${pepper.id}$$argon2id$v=19$m=1024,t=1,p=1$")
    assert (await gateway.app[pin_service_key].check(user_id, PIN)).ok
    assert await stored_hash(gateway, user_id) == upgraded  # current hashes stay as they are
    assert (await gateway.app[pin_service_key].check(user_id, "1357")).attempts_left == 2


async def test_a_first_format_pin_still_buys_on_the_handset(gateway, phone):
    user_id = await customer(gateway)
    await store_hash(gateway, user_id, hash_secret_sync(PIN))
    handset = phone()
    await handset.dial()
    await handset.send("1", "1", "500")
    assert await handset.send(PIN) == RECEIVED
    assert (await stored_hash(gateway, user_id)).startswith("$pin2$")


async def test_a_hash_under_another_pepper_is_a_wrong_pin_and_is_logged(gateway, caplog):
    user_id = await customer(gateway)
    await store_hash(gateway, user_id, hash_pin_sync(PIN, OTHER))
    check = await gateway.app[pin_service_key].check(user_id, PIN)
    assert check.status is PinStatus.WRONG
    assert f"an unknown pepper (id {OTHER.id})" in caplog.text
    assert PIN not in caplog.text
    # with that pepper passed explicitly, the same hash verifies
    assert (await check_pin(gateway.db, user_id, PIN, gateway.clock.now(), pepper=OTHER)).ok


async def test_two_pin_services_in_one_process_keep_their_own_pepper(gateway):
    """No process-wide pepper: another app's PIN service (another pepper) in the same process
    changes nothing about what this app's service accepts."""
    user_id = await customer(gateway)
    ours = gateway.app[pin_service_key]
    other = PinService(gateway.db, gateway.clock, OTHER, concurrency=1)
    await other.set(user_id, "4826")
    assert (await other.check(user_id, "4826")).ok
    assert (await ours.check(user_id, "4826")).status is PinStatus.WRONG
    assert ours.pepper == PinPepper.from_secret(Secret(JWT_SECRET))


async def test_a_burst_of_pin_checks_stays_within_the_pool(gateway):
    """Every channel's PIN checks take a slot each, so a burst never opens connections past
    the pool."""
    user_id = await customer(gateway)
    engine = gateway.app[engine_key]
    ours = gateway.app[pin_service_key]
    assert ours.concurrency == max(1, engine.pool.size() // 2)  # half the pool by default
    service = PinService(gateway.db, gateway.clock, ours.pepper, concurrency=2)
    # connections inside a PIN check's transaction (the harness's worker also uses the pool)
    inside: set[int] = set()
    peak = 0

    def before(connection, _cursor, statement, *_args) -> None:
        nonlocal peak
        if "FOR UPDATE" in statement and statement.lstrip().upper().startswith("SELECT USERS"):
            inside.add(id(connection.connection))
            peak = max(peak, len(inside))

    def done(connection) -> None:
        inside.discard(id(connection.connection))

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "commit", done)
    event.listen(engine.sync_engine, "rollback", done)
    try:
        checks = await asyncio.gather(*(service.check(user_id, PIN) for _ in range(12)))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
        event.remove(engine.sync_engine, "commit", done)
        event.remove(engine.sync_engine, "rollback", done)
    assert all(check.ok for check in checks)
    assert peak == 2


async def lockout_row(gateway, user_id: int):
    async with gateway.db() as session:
        return (
            await session.execute(
                select(User.pin_failed_count, User.pin_locked_until, User.pin_reset_required).where(
                    User.id == user_id
                )
            )
        ).one()


async def lock_notices(gateway, user_id: int) -> list[str]:
    async with gateway.db() as session:
        bodies = await session.scalars(
            select(Outbox.body).where(Outbox.user_id == user_id, Outbox.purchase_id.is_(None))
        )
        return [body for body in bodies if "wrong PINs" in body]


async def at_confirm(phone, count: int) -> list:
    """`count` sessions of one line, each on the airtime confirm screen (asking for the PIN)."""
    handsets = [phone() for _ in range(count)]
    for handset in handsets:  # the dial string goes straight there (no "continue?" offer)
        assert "Enter PIN to pay" in await handset.dial(first="1*1*500")
    return handsets


async def test_concurrent_right_pins_on_one_line_all_buy(gateway, phone):
    """Counting an attempt before its hash was checked refused right PINs sent together."""
    user_id = await customer(gateway)
    handsets = await at_confirm(phone, 8)

    replies = await asyncio.gather(*(handset.send(PIN) for handset in handsets))

    assert replies == [RECEIVED] * 8
    assert len(await purchases(gateway, user_id)) == 8
    assert tuple(await lockout_row(gateway, user_id)) == (0, None, False)


async def test_concurrent_wrong_pins_lock_after_exactly_three_misses(gateway, phone):
    user_id = await customer(gateway)
    handsets = await at_confirm(phone, 8)

    replies = await asyncio.gather(
        *(handset.send(f"{n:04d}") for n, handset in zip(range(3050, 3058), handsets, strict=True))
    )

    wrong = [r for r in replies if r.startswith("CON Wrong PIN.")]
    locked = [
        r
        for r in replies
        if r == f"END PIN locked until 11:30 after too many wrong PINs. Forgot it? {RESET_HINT}"
    ]
    assert (len(wrong), len(locked)) == (2, 6), replies
    assert (await lockout_row(gateway, user_id)).pin_failed_count == MAX_ATTEMPTS
    assert len(await lock_notices(gateway, user_id)) == 1
    assert await purchases(gateway, user_id) == []


async def test_a_hard_lock_on_the_handset_says_how_to_reset_and_outlasts_any_wait(gateway, phone):
    user_id = await customer(gateway)
    for _ in range(3):  # three locks within 24 hours, each 30-minute lock waited out
        for _ in range(MAX_ATTEMPTS):
            await gateway.app[pin_service_key].check(user_id, "1357")
        gateway.clock.advance(LOCK_DURATION.total_seconds())
    gateway.clock.advance(timedelta(days=2).total_seconds())
    (handset,) = await at_confirm(phone, 1)

    reply = await handset.send(PIN)

    assert reply == f"END PIN locked after too many wrong PINs. {RESET_HINT}"
    assert await purchases(gateway, user_id) == []
    assert tuple(await lockout_row(gateway, user_id))[1:] == (None, True)
    assert len(await lock_notices(gateway, user_id)) == 3


async def test_a_reset_pin_buys_on_the_handset_again(gateway, phone):
    user_id = await customer(gateway)
    for _ in range(3):
        for _ in range(MAX_ATTEMPTS):
            await gateway.app[pin_service_key].check(user_id, "1357")
        gateway.clock.advance(LOCK_DURATION.total_seconds())
    await gateway.app[pin_service_key].set(user_id, "4826")  # what both reset paths do
    (handset,) = await at_confirm(phone, 1)

    assert await handset.send("4826") == RECEIVED
