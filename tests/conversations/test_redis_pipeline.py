"""Auto-pipelining against the real Redis: concurrent commands share a pipeline, each caller
gets its own reply or its own error."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.store.redis_pipeline import AutoPipeline, shared_pipeline


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


async def test_a_failed_connection_fails_every_caller_once_without_retrying_each_alone():
    attempts = 0

    async def refuse(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal attempts
        attempts += 1
        writer.transport.abort()

    outcomes, pipeline = await gets_from_a_fake_redis(refuse, 20)
    assert all(isinstance(outcome, RedisConnectionError) for outcome in outcomes)
    assert pipeline.largest > 1
    assert attempts <= 2  # the first command alone, then the rest in one pipeline


async def test_drain_waits_for_the_pipelines_in_flight(redis, prefix):
    pipeline = AutoPipeline(redis)
    callers = [asyncio.create_task(pipeline("SET", f"{prefix}{i}", b"1")) for i in range(10)]
    await asyncio.sleep(0)  # every caller has queued its command
    await pipeline.drain()
    assert await redis.exists(*(f"{prefix}{i}" for i in range(10))) == 10
    await asyncio.gather(*callers)


async def test_a_commands_options_reach_its_reply_parsing(redis, prefix):
    # `SET ... GET` answers the old value only when redis-py is told so (`get=True`)
    pipeline = AutoPipeline(redis, max_concurrent=1)
    await redis.set(f"{prefix}held", b"old")
    alone = await pipeline("SET", f"{prefix}held", b"new", "GET", get=True)
    together = await asyncio.gather(
        pipeline("SET", f"{prefix}held", b"newer", "GET", get=True),
        pipeline("SET", f"{prefix}other", b"1", "GET", get=True),
        pipeline("SET", f"{prefix}plain", b"1"),
    )
    assert alone == b"old"
    assert together == [b"new", None, True]


async def test_every_store_on_one_client_shares_its_pipeline(redis):
    other = aioredis.Redis()  # never connects
    try:
        assert shared_pipeline(redis) is shared_pipeline(redis)
        assert shared_pipeline(redis) is not shared_pipeline(other)
    finally:
        await other.aclose()


async def test_commands_sent_together_share_one_pipeline(redis, prefix):
    pipeline = AutoPipeline(redis, max_concurrent=1)
    await redis.set(f"{prefix}a", b"1")
    replies = await pipeline.together(("GET", f"{prefix}a"), ("MGET", f"{prefix}a", f"{prefix}b"))
    assert replies == [b"1", [b"1", None]]
    assert pipeline.largest == 2


async def test_a_batch_whose_replies_outlast_the_socket_timeout_fails_with_a_timeout():
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(1 << 16):  # takes the commands, never answers, until hung up
            pass
        writer.close()

    outcomes, _ = await gets_from_a_fake_redis(silent, 5, socket_timeout=0.2)
    assert all(isinstance(outcome, RedisTimeoutError) for outcome in outcomes)


async def gets_from_a_fake_redis(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
    count: int,
    **client_options: Any,
) -> tuple[list[Any], AutoPipeline]:
    """`count` concurrent GETs through a pipeline on a client of a local server run by
    `handler` (no retries); their outcomes, once the server and every connection it took
    are closed (a handler left running would leave its transport to warn in a later test)."""
    handlers: list[asyncio.Future[None]] = []

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.ensure_future(handler(reader, writer)))

    server = await asyncio.start_server(tracked, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = aioredis.Redis(
        host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0), **client_options
    )
    try:
        pipeline = AutoPipeline(client, max_concurrent=1)
        outcomes = await asyncio.gather(
            *(pipeline("GET", f"k{i}") for i in range(count)), return_exceptions=True
        )
    finally:
        await client.aclose()
        server.close()
        await asyncio.wait_for(asyncio.gather(*handlers), timeout=5)
    return outcomes, pipeline
