"""Both token stores answer the same protocol the same way (Redis and in-process)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from gateway.api.tokens_store import MemoryTokenStore, RedisTokenStore, Rotation
from gateway.clock import FixedClock
from tests.api.conftest import REDIS_URL


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture(params=["redis", "memory"])
async def store(request, redis_prefix, clock):
    if request.param == "memory":
        yield MemoryTokenStore(clock)
        return
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        yield RedisTokenStore(client, redis_prefix, clock=clock)
    finally:
        await client.aclose()


async def test_rotation_is_compare_and_set_and_reuse_kills_the_family(store):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)

    assert (await store.rotate(family, "r1", "r2", 60)).outcome is Rotation.ROTATED
    assert (await store.rotate(family, "r1", "r3", 60)).outcome is Rotation.REUSED
    assert (await store.rotate(family, "r2", "r4", 60)).outcome is Rotation.UNKNOWN
    assert await store.is_revoked("any-access-jti", family)


async def test_the_token_just_rotated_repeats_within_the_grace_and_changes_nothing(store, clock):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)
    await store.rotate(family, "r1", "r2", 60, grace_s=5, memo="what r2 came with")
    clock.advance(4.9)

    again = await store.rotate(family, "r1", "r3", 60, grace_s=5, memo="unused")

    assert (again.outcome, again.memo) == (Rotation.REPEATED, "what r2 came with")
    assert not await store.is_revoked("any-access-jti", family)
    assert (await store.rotate(family, "r2", "r4", 60)).outcome is Rotation.ROTATED  # r2 live


async def test_the_token_just_rotated_after_the_grace_is_reuse(store, clock):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)
    await store.rotate(family, "r1", "r2", 60, grace_s=5, memo="m")
    clock.advance(5)

    assert (await store.rotate(family, "r1", "r3", 60, grace_s=5)).outcome is Rotation.REUSED
    assert await store.is_revoked("any-access-jti", family)


async def test_an_older_token_is_reuse_even_within_the_grace(store):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)
    await store.rotate(family, "r1", "r2", 60, grace_s=5, memo="m2")
    await store.rotate(family, "r2", "r3", 60, grace_s=5, memo="m3")

    # r1 was rotated out two rotations ago: only r2, the one just replaced, repeats
    assert (await store.rotate(family, "r1", "r4", 60, grace_s=5)).outcome is Rotation.REUSED
    assert await store.is_revoked("any-access-jti", family)


async def test_no_grace_without_one_asked_for(store):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)
    await store.rotate(family, "r1", "r2", 60)

    assert (await store.rotate(family, "r1", "r3", 60, grace_s=5)).outcome is Rotation.REUSED


async def test_a_revoked_family_does_not_repeat_within_the_grace(store):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)
    await store.rotate(family, "r1", "r2", 60, grace_s=5, memo="m")

    await store.revoke_family(family)

    assert (await store.rotate(family, "r1", "r3", 60, grace_s=5)).outcome is Rotation.UNKNOWN


async def test_blacklist_and_family_revocation(store):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)
    assert not await store.is_revoked("a1", family)

    await store.revoke_token("a1", 60)
    assert await store.is_revoked("a1", family)
    assert not await store.is_revoked("a2", family)

    await store.revoke_family(family)
    assert await store.is_revoked("a2", family)


async def test_revoking_a_user_ends_all_their_families_and_only_theirs(store):
    mine, also_mine, theirs = (uuid.uuid4().hex for _ in range(3))
    await store.open_family(mine, "r1", 60, user_id=7)
    await store.open_family(also_mine, "r2", 60, user_id=7)
    await store.open_family(theirs, "r3", 60, user_id=8)

    assert await store.revoke_user_families(7) == 2

    assert await store.is_revoked("a", mine)
    assert await store.is_revoked("a", also_mine)
    assert (await store.rotate(also_mine, "r2", "r4", 60)).outcome is Rotation.UNKNOWN
    assert not await store.is_revoked("a", theirs)
    assert await store.revoke_user_families(7) == 0  # nothing left to end


async def test_fixed_window_counters(store):
    key = f"login:{uuid.uuid4().hex}"
    hits = [await store.hit(key, 60) for _ in range(3)]

    assert [h.count for h in hits] == [1, 2, 3]
    assert 0 < hits[-1].reset_in_s <= 60
    await store.clear(key)
    assert (await store.hit(key, 60)).count == 1


async def test_memory_entries_expire_on_the_injected_clock(clock):
    store = MemoryTokenStore(clock)
    await store.open_family("f", "r1", 10)
    await store.revoke_token("a1", 10)
    assert (await store.hit("k", 10)).count == 1

    clock.advance(11)

    assert await store.is_revoked("a2", "f")  # the family expired
    await store.open_family("g", "r1", 10)
    assert not await store.is_revoked("a1", "g")  # the blacklist entry expired
    assert (await store.hit("k", 10)).count == 1  # a new window


async def test_a_counter_keeps_its_window_until_it_resets(clock):
    store = MemoryTokenStore(clock)
    await store.hit("k", 60)
    clock.advance(45)

    hit = await store.hit("k", 60)

    assert (hit.count, hit.reset_in_s) == (2, 15)


async def test_memory_forgets_dead_families_of_a_user(clock):
    store = MemoryTokenStore(clock)
    await store.open_family("old", "r1", 10, user_id=7)
    clock.advance(11)

    await store.open_family("new", "r2", 10, user_id=7)

    assert await store.revoke_user_families(7) == 1  # only "new" was still listed
    assert await store.is_revoked("a", "new")
