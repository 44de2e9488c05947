"""What the SMS channel remembers: AT ids claimed once, per-phone counters in fixed windows,
the same in Redis and in this process (on the injected clock)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from gateway.channels.sms_gate import (
    SEEN_TTL_S,
    InboundGate,
    MemoryInboundGate,
    RedisInboundGate,
)
from gateway.clock import FixedClock

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
PHONE = "+2348031234567"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 7, 10, tzinfo=UTC))


@pytest.fixture
async def redis_gate() -> AsyncIterator[tuple[RedisInboundGate, aioredis.Redis, str]]:
    client = aioredis.Redis.from_url(REDIS_URL)
    prefix = f"paylink-test:{uuid.uuid4().hex[:12]}:"
    try:
        yield RedisInboundGate(client, prefix), client, prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture(params=["redis", "memory"])
def gate(request: pytest.FixtureRequest, clock: FixedClock) -> InboundGate:
    if request.param == "memory":
        return MemoryInboundGate(clock)
    made: InboundGate = request.getfixturevalue("redis_gate")[0]
    return made


async def test_an_id_is_claimed_once(gate):
    assert await gate.claim("ATXid_1") is True
    assert await gate.claim("ATXid_1") is False
    assert await gate.claim("ATXid_2") is True


async def test_a_released_id_can_be_claimed_again(gate):
    await gate.claim("ATXid_1")
    await gate.release("ATXid_1")
    assert await gate.claim("ATXid_1") is True


async def test_hits_count_per_phone(gate):
    assert [await gate.hit(PHONE, 600) for _ in range(3)] == [1, 2, 3]
    assert await gate.hit("+2348051234567", 600) == 1


async def test_the_memory_window_ends_on_the_clock_and_counting_starts_again(clock):
    gate = MemoryInboundGate(clock)
    for _ in range(3):
        await gate.hit(PHONE, 600)
    clock.advance(599)
    assert await gate.hit(PHONE, 600) == 4  # a fixed window: hits do not extend it
    clock.advance(2)
    assert await gate.hit(PHONE, 600) == 1


async def test_a_memory_claim_is_forgotten_after_a_day(clock):
    gate = MemoryInboundGate(clock)
    await gate.claim("ATXid_1")
    clock.advance(SEEN_TTL_S + 1)
    assert await gate.claim("ATXid_1") is True


async def test_redis_keeps_no_phone_or_id_in_the_clear_and_everything_expires(redis_gate):
    gate, client, prefix = redis_gate
    await gate.claim("ATXid_secretish")
    await gate.hit(PHONE, 600)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    assert len(keys) == 2
    assert all(b"8031234567" not in key and b"ATXid" not in key for key in keys)
    ttls = sorted([await client.ttl(key) for key in keys])
    assert 0 < ttls[0] <= 600  # the counter's window
    assert 600 < ttls[1] <= SEEN_TTL_S  # the claimed id
