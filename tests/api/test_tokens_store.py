"""Both token stores answer the same protocol the same way (Redis and in-process)."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis

from gateway.api.tokens_store import MemoryTokenStore, RedisTokenStore, Rotation
from tests.api.conftest import REDIS_URL


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["redis", "memory"])
async def store(request, redis_prefix):
    if request.param == "memory":
        yield MemoryTokenStore()
        return
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        yield RedisTokenStore(client, redis_prefix)
    finally:
        await client.aclose()


async def test_rotation_is_compare_and_set_and_reuse_kills_the_family(store):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)

    assert await store.rotate(family, "r1", "r2", 60) is Rotation.ROTATED
    assert await store.rotate(family, "r1", "r3", 60) is Rotation.REUSED
    assert await store.rotate(family, "r2", "r4", 60) is Rotation.UNKNOWN
    assert await store.is_revoked("any-access-jti", family)


async def test_blacklist_and_family_revocation(store):
    family = uuid.uuid4().hex
    await store.open_family(family, "r1", 60)
    assert not await store.is_revoked("a1", family)

    await store.revoke_token("a1", 60)
    assert await store.is_revoked("a1", family)
    assert not await store.is_revoked("a2", family)

    await store.revoke_family(family)
    assert await store.is_revoked("a2", family)


async def test_fixed_window_counters(store):
    key = f"login:{uuid.uuid4().hex}"
    hits = [await store.hit(key, 60) for _ in range(3)]

    assert [h.count for h in hits] == [1, 2, 3]
    assert 0 < hits[-1].reset_in_s <= 60
    await store.clear(key)
    assert (await store.hit(key, 60)).count == 1


async def test_memory_entries_expire_and_are_swept():
    clock = FakeTime()
    store = MemoryTokenStore(now=clock, sweep_every=2)
    await store.open_family("f", "r1", 10)
    await store.revoke_token("a1", 10)
    assert (await store.hit("k", 10)).count == 1

    clock.now += 11

    assert await store.is_revoked("a2", "f")  # the family expired
    await store.open_family("g", "r1", 10)
    assert not await store.is_revoked("a1", "g")  # the blacklist entry expired
    assert (await store.hit("k", 10)).count == 1
    await store.revoke_token("a3", 10)  # a write triggers the sweep
    assert len(store._values) == 2  # family g and a3; the expired ones are gone
