"""Auto-pipelining against the real Redis: concurrent commands share a pipeline, each caller
gets its own reply or its own error."""

from __future__ import annotations

import asyncio

import pytest
from redis.exceptions import ResponseError

from gateway.store.redis_pipeline import AutoPipeline


async def test_a_lone_command_is_answered(redis, prefix):
    pipeline = AutoPipeline(redis)
    assert await pipeline("SET", f"{prefix}a", b"1") is True
    assert await pipeline("GET", f"{prefix}a") == b"1"
    assert pipeline.largest == 1


async def test_concurrent_commands_share_a_pipeline_and_each_gets_its_own_reply(redis, prefix):
    pipeline = AutoPipeline(redis, max_concurrent=1)
    await asyncio.gather(*(pipeline("SET", f"{prefix}{i}", str(i)) for i in range(50)))
    values = await asyncio.gather(*(pipeline("GET", f"{prefix}{i}") for i in range(50)))
    assert values == [str(i).encode() for i in range(50)]
    assert pipeline.largest > 1


async def test_an_error_answering_one_command_fails_only_its_caller(redis, prefix):
    pipeline = AutoPipeline(redis, max_concurrent=1)
    await redis.set(f"{prefix}text", b"not a number")
    outcomes = await asyncio.gather(
        pipeline("INCR", f"{prefix}n"),
        pipeline("INCR", f"{prefix}text"),
        pipeline("INCR", f"{prefix}n"),
        return_exceptions=True,
    )
    assert outcomes[0] == 1
    assert outcomes[2] == 2
    assert isinstance(outcomes[1], ResponseError)
    assert await redis.get(f"{prefix}text") == b"not a number"


async def test_a_lone_command_raises_its_own_error(redis, prefix):
    pipeline = AutoPipeline(redis)
    await redis.set(f"{prefix}text", b"x")
    with pytest.raises(ResponseError):
        await pipeline("INCR", f"{prefix}text")
