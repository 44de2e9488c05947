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

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import event, select, update

from gateway.conversations.services import GatewayServices
from gateway.errors import ConfigError
from gateway.keys import engine_key, vtpass_key
from gateway.security import pins
from gateway.security.passwords import hash_secret_sync
from gateway.security.pins import (
    EMBEDDED_PEPPER,
    PinPepper,
    PinStatus,
    check_pin,
    hash_pin_sync,
    verify_pin_sync,
)
from gateway.settings import Secret, Settings
from gateway.store.tables import User
from tests.ussd.conftest import JWT_SECRET, PIN, customer
from tests.ussd.helpers import RECEIVED

PEPPER = PinPepper.from_secret(Secret("p" * 40))
OTHER = PinPepper.from_secret(Secret("q" * 40))


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
    base = {"PAYLINK_DATABASE_URL": "postgresql+psycopg://u@h/db", "PAYLINK_JWT_SECRET": JWT_SECRET}
    from_jwt = PinPepper.from_settings(Settings.from_env(base))
    assert from_jwt == PinPepper.from_secret(Secret(JWT_SECRET))
    own = Settings.from_env(base | {"PAYLINK_PIN_PEPPER": "z" * 32})
    assert PinPepper.from_settings(own) == PinPepper.from_secret(Secret("z" * 32))
    assert PinPepper.from_settings(Settings.from_env({})) == EMBEDDED_PEPPER  # survives restarts
    assert from_jwt.key != Secret(JWT_SECRET).value.encode()  # derived, never the JWT key itself
    with pytest.raises(ConfigError, match="PAYLINK_PIN_PEPPER"):
        Settings.from_env(base | {"PAYLINK_PIN_PEPPER": "short"})


def test_pins_set_under_the_jwt_derived_pepper_survive_setting_an_own_pepper():
    base = {"PAYLINK_DATABASE_URL": "postgresql+psycopg://u@h/db", "PAYLINK_JWT_SECRET": JWT_SECRET}
    before = hash_pin_sync(PIN, PinPepper.from_settings(Settings.from_env(base)))
    own = PinPepper.from_settings(Settings.from_env(base | {"PAYLINK_PIN_PEPPER": "z" * 32}))

    ok, upgraded = verify_pin_sync(before, PIN, own)

    assert ok
    assert upgraded is not None
    assert upgraded.startswith(f"$pin2${own.id}$")
    assert verify_pin_sync(before, "2581", own) == (False, None)


def test_a_rotated_pepper_still_verifies_under_its_previous_setting():
    base = {"PAYLINK_DATABASE_URL": "postgresql+psycopg://u@h/db", "PAYLINK_JWT_SECRET": JWT_SECRET}
    old = PinPepper.from_settings(Settings.from_env(base | {"PAYLINK_PIN_PEPPER": "y" * 32}))
    before = hash_pin_sync(PIN, old)
    rotated = Settings.from_env(
        base | {"PAYLINK_PIN_PEPPER": "z" * 32, "PAYLINK_PIN_PEPPER_PREVIOUS": "y" * 32}
    )
    current = PinPepper.from_settings(rotated)
    forgotten = PinPepper.from_settings(Settings.from_env(base | {"PAYLINK_PIN_PEPPER": "z" * 32}))

    ok, upgraded = verify_pin_sync(before, PIN, current)

    assert ok
    assert upgraded is not None
    assert upgraded.startswith(f"$pin2${current.id}$")
    assert verify_pin_sync(before, PIN, forgotten) == (False, None)  # unknown pepper: unchecked
    assert "y" * 32 not in repr(current)
    assert "y" * 32 not in repr(rotated)


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

    wrong = await check_pin(gateway.db, user_id, "1357", gateway.clock.now())
    assert wrong.status is PinStatus.WRONG
    assert await stored_hash(gateway, user_id) == legacy  # a wrong PIN changes nothing

    assert (await check_pin(gateway.db, user_id, PIN, gateway.clock.now())).ok
    upgraded = await stored_hash(gateway, user_id)
    pepper = PinPepper.from_secret(Secret(JWT_SECRET))  # what the gateway installed
    assert upgraded.startswith(f"$pin2${pepper.id}$$argon2id$v=19$m=1024,t=1,p=1$")
    assert (await check_pin(gateway.db, user_id, PIN, gateway.clock.now())).ok
    assert await stored_hash(gateway, user_id) == upgraded  # current hashes stay as they are
    assert (await check_pin(gateway.db, user_id, "1357", gateway.clock.now())).attempts_left == 2


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
    check = await check_pin(gateway.db, user_id, PIN, gateway.clock.now())
    assert check.status is PinStatus.WRONG
    assert f"an unknown pepper (id {OTHER.id})" in caplog.text
    assert PIN not in caplog.text
    # with that pepper passed explicitly, the same hash verifies
    assert (await check_pin(gateway.db, user_id, PIN, gateway.clock.now(), pepper=OTHER)).ok


def test_without_an_installed_pepper_nothing_is_hashed():
    saved = list(pins._installed)
    pins._installed.clear()
    try:
        with pytest.raises(RuntimeError, match="no PIN pepper"):
            pins._pepper(None)
    finally:
        pins._installed[:] = saved


async def test_each_attempt_step_is_one_self_committing_statement(gateway):
    """The reservation and the reset each commit on their own (autocommit, no BEGIN/COMMIT
    round trips): the statement leaves the connection outside any transaction."""
    user_id = await customer(gateway)
    engine = gateway.db.kw["bind"]
    seen: list[tuple[str, str]] = []

    def after(connection, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE USERS"):
            status = connection.connection.dbapi_connection.info.transaction_status
            seen.append((statement.split()[0], status.name))

    event.listen(engine.sync_engine, "after_cursor_execute", after)
    try:
        assert (await check_pin(gateway.db, user_id, PIN, gateway.clock.now())).ok
        wrong = await check_pin(gateway.db, user_id, "1357", gateway.clock.now())
    finally:
        event.remove(engine.sync_engine, "after_cursor_execute", after)
    assert wrong.attempts_left == 2  # the right PIN gave its attempt back
    assert seen == [("UPDATE", "IDLE")] * 3  # reserve + reset, then the wrong PIN's reserve


async def test_a_burst_of_pin_checks_stays_within_the_pool(gateway):
    """USSD PIN checks take a slot each, so a burst never opens connections past the pool."""
    user_id = await customer(gateway)
    app = gateway.app
    engine = app[engine_key]
    services = GatewayServices(
        engine, gateway.db, gateway.service, app[vtpass_key], gateway.clock, pin_checks=2
    )
    assert GatewayServices(
        engine, gateway.db, gateway.service, app[vtpass_key], gateway.clock
    ).pin_checks == max(1, engine.pool.size() // 2)  # half the pool by default
    out, peak = 0, 0  # PIN statements in flight (the harness's worker also uses the pool)

    def before(_connection, _cursor, statement, *_args) -> None:
        nonlocal out, peak
        if statement.lstrip().upper().startswith("UPDATE USERS"):
            out += 1
            peak = max(peak, out)

    def after(_connection, _cursor, statement, *_args) -> None:
        nonlocal out
        if statement.lstrip().upper().startswith("UPDATE USERS"):
            out -= 1

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    try:
        checks = await asyncio.gather(*(services.check_pin(user_id, PIN) for _ in range(12)))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
        event.remove(engine.sync_engine, "after_cursor_execute", after)
    assert all(check.ok for check in checks)
    assert peak == 2
