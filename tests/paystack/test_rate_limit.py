"""The webhook route's limit in Redis: concurrent hits share a pipeline, each counted once."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from gateway.clock import FixedClock
from gateway.paystack.rate_limit import WindowLimit

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"


@pytest.fixture
async def limit() -> AsyncIterator[WindowLimit]:
    client = aioredis.Redis.from_url(REDIS_URL)
    prefix = f"paylink-test:{uuid.uuid4().hex[:12]}:"
    clock = FixedClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    try:
        yield WindowLimit(5, clock, redis=client, prefix=prefix)
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_concurrent_hits_past_the_limit_are_refused_exactly(limit):
    allowed = await asyncio.gather(*(limit.allow("203.0.113.9") for _ in range(8)))

    assert allowed == [True] * 5 + [False] * 3


async def test_each_address_has_its_own_count_in_a_shared_batch(limit):
    hits = ["203.0.113.9"] * 6 + ["198.51.100.7"] * 2
    allowed = await asyncio.gather(*(limit.allow(address) for address in hits))

    assert allowed == [True] * 5 + [False] + [True] * 2
