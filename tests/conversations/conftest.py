"""Session stores under test: real Redis (a unique key prefix per test) and the in-process one."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from gateway.conversations.sessions import MemorySessionStore, RedisSessionStore, SessionStore

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"


class Ticker:
    """A settable monotonic clock for the in-process store's TTLs."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def prefix(redis: aioredis.Redis) -> AsyncIterator[str]:
    made = f"paylink-test:{uuid.uuid4().hex[:12]}:"
    try:
        yield made
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{made}*")]
        if keys:
            await redis.delete(*keys)


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture(params=["redis", "memory"])
def store(request: pytest.FixtureRequest, ticker: Ticker) -> SessionStore:
    if request.param == "memory":
        return MemorySessionStore(180.0, now=ticker)
    redis_client = request.getfixturevalue("redis")
    return RedisSessionStore(redis_client, request.getfixturevalue("prefix"), 180.0)
