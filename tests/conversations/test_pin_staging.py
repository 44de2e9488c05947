"""A staged first PIN entry is a keyed hash beside the session, never the PIN itself."""

from __future__ import annotations

from gateway.conversations.config import derive_key, keyed_hash
from gateway.conversations.pin_staging import PinStaging
from gateway.conversations.sessions import MemorySessionStore
from gateway.settings import Secret

SECRET = Secret("s" * 48)


def test_derived_keys_differ_by_purpose_and_from_the_secret():
    keys = {derive_key(SECRET, c) for c in ("pin-staging", "ussd-hop", "ussd-phone")}
    assert len(keys) == 3
    assert SECRET.value.encode() not in keys
    assert derive_key(SECRET, "pin-staging") == derive_key(Secret("s" * 48), "pin-staging")


def test_keyed_hashes_do_not_run_parts_together():
    key = derive_key(SECRET, "x")
    assert keyed_hash(key, "ab", "c") != keyed_hash(key, "a", "bc")


async def test_the_second_entry_must_match_the_staged_first_of_this_session(ticker):
    store = MemorySessionStore(now=ticker)
    staging = PinStaging(store, derive_key(SECRET, "pin-staging"), 60)
    assert not await staging.matches("ussd", "s1", "seed1", "2580")  # nothing staged
    await staging.stage("ussd", "s1", "seed1", "2580")
    stored = await store.get("ussd:pin:s1")
    assert stored is not None
    assert b"2580" not in stored
    assert await staging.matches("ussd", "s1", "seed1", "2580")
    assert not await staging.matches("ussd", "s1", "seed1", "2581")
    assert not await staging.matches("ussd", "s1", "other-seed", "2580")
    assert not await staging.matches("ussd", "s2", "seed1", "2580")
    await staging.drop("ussd", "s1")
    assert not await staging.matches("ussd", "s1", "seed1", "2580")


async def test_a_staged_pin_expires(ticker):
    staging = PinStaging(MemorySessionStore(now=ticker), derive_key(SECRET, "p"), 60)
    await staging.stage("ussd", "s1", "seed", "2580")
    ticker.now += 61
    assert not await staging.matches("ussd", "s1", "seed", "2580")
