"""How PINs are stored: argon2id over HMAC(pepper, PIN), cheap, and first-format hashes upgraded.

The story: a 4-digit PIN cannot be protected offline by argon2's cost (10,000 guesses), so the
hash is keyed with a server-side pepper that never sits in the database. Users who set their PIN
under the first format (plain argon2id, 19 MiB, t=2) keep it: their next right PIN verifies the
old hash once and stores the new one. A wrong PIN upgrades nothing, and a hash is worthless
without the pepper it was made under.
"""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import select, update

from gateway.errors import ConfigError
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
    assert f"another pepper (id {OTHER.id})" in caplog.text
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
