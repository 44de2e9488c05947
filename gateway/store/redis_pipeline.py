"""Auto-pipelining: the Redis commands of concurrent callers leave together, in one pipeline.

Why: a USSD menu hop makes one Redis call, and at load most of that call's cost is not in
Redis but around it: redis-py's per-command machinery (a pooled connection taken and given
back, a timeout task for the send, a timeout for the read) and a write and a read on the
socket, per command. Commands queued while a pipeline is in flight share the next one: one
connection, one write, the replies read back in order. An idle gateway sends each command
alone and at once (`GroupCommit` never waits for a batch to fill).

Each caller gets its own command's reply, or its own error: a Redis error answering one
command (`NOSCRIPT`, a wrong type) is that command's alone. When the connection fails, the
whole batch is re-sent by the connection's retry policy (the client's, as redis-py re-sends a
lone command), and if it still fails every caller gets that failure: no command is retried alone
on top, which during an outage would multiply the client's retries by the batch size. So use
it only for commands that may run more than once: one that reached Redis before the
connection dropped runs again when the pipeline is re-sent.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

import hiredis
from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection

from gateway.group_commit import GroupCommit

Command = tuple[tuple[bytes | int | str, ...], dict[str, Any]]  # redis-py's args and options


class AutoPipeline:
    """`await pipeline("GET", key)` runs the command, in a pipeline with whatever else is queued."""

    def __init__(self, redis: Redis, *, max_batch: int = 64, max_concurrent: int = 2) -> None:
        self._redis = redis
        self._batches: GroupCommit[Command, Any] = GroupCommit(
            self._send, name="redis-pipeline", max_batch=max_batch, max_concurrent=max_concurrent
        )

    @property
    def largest(self) -> int:
        """The most commands one pipeline has carried (tests and benchmarks)."""
        return self._batches.largest

    def __call__(self, *command: bytes | int | str, **options: Any) -> Awaitable[Any]:
        """Awaits the command's reply; raises its `ResponseError`, or the connection's failure.
        `options` go to redis-py's reply parsing (`get=True` for `SET ... GET`).

        A plain function handing back the batch's awaitable: one coroutine less per command.
        """
        return self._batches((command, options))

    async def together(self, *commands: tuple[bytes | int | str, ...]) -> list[Any]:
        """Several commands of one caller in one pipeline: their replies in order (or the
        first one's error)."""
        return await self._batches.many([(command, {}) for command in commands])

    async def _send(self, commands: Sequence[Command]) -> list[Any]:
        """One write of every command on a pooled connection, then their replies in order.

        Straight on the connection rather than through redis-py's `Pipeline`, whose per-batch
        machinery (a pipeline object, its command stack, response callbacks, observability
        hooks) cost a menu hop more than the commands did (bench/RESULTS.md). The connection's
        own retry policy re-sends the whole batch after a connection error, as `Pipeline` does.
        """
        pool = self._redis.connection_pool
        try:
            connection = await pool.get_connection()  # type: ignore[no-untyped-call]
        except (redis_errors.ConnectionError, redis_errors.TimeoutError) as exc:
            return _failed(exc, commands)
        try:
            replies: list[Any] = await connection.retry.call_with_retry(
                lambda: _exchange(connection, commands),
                lambda _error: connection.disconnect(),  # reconnects on the next send
            )
        except (redis_errors.ConnectionError, redis_errors.TimeoutError) as exc:
            return _failed(exc, commands)
        finally:
            await pool.release(connection)
        callbacks = self._redis.response_callbacks
        for index, (args, options) in enumerate(commands):
            name = args[0]
            callback = callbacks.get(name) if isinstance(name, str) else None
            if callback is not None and not isinstance(replies[index], Exception):
                replies[index] = callback(replies[index], **options)
        return replies

    async def drain(self) -> None:
        """Wait for the pipelines in flight (shutdown, before the client closes)."""
        await self._batches.drain()


async def _exchange(connection: AbstractConnection, commands: Sequence[Command]) -> list[Any]:
    # hiredis packs our str/bytes/int arguments itself, at a fraction of the cost of redis-py's
    # packer, which re-checks and re-encodes every argument in Python (bench/RESULTS.md)
    packed = b"".join([hiredis.pack_command(args) for args, _ in commands])  # type: ignore[arg-type]  # the stub types a 1-tuple
    await connection.send_packed_command(packed)
    try:
        return await _replies(connection, len(commands))
    except BaseException:
        # replies left unread would answer the next borrower's commands: drop the connection
        await connection.disconnect(nowait=True)
        raise


async def _replies(connection: AbstractConnection, count: int) -> list[Any]:
    """The next `count` replies, a command's error as its reply. One socket timeout for them
    all, not one per reply (redis-py arms a timer for each read): they arrive together, and a
    batch that outlasts it fails as a lone command's read would, with redis-py's error."""
    replies: list[Any] = []
    try:
        async with asyncio.timeout(connection.socket_timeout):
            for _ in range(count):
                try:
                    replies.append(await connection.read_response(timeout=math.inf))
                except redis_errors.ResponseError as exc:  # that command's alone
                    replies.append(exc)
    except TimeoutError as exc:
        raise redis_errors.TimeoutError("Timeout reading from Redis") from exc
    return replies


def _failed(exc: Exception, commands: Sequence[Command]) -> list[Any]:
    """Every caller its own copy of the connection's failure."""
    return [type(exc)(*exc.args) for _ in commands]


_shared: weakref.WeakKeyDictionary[Redis, AutoPipeline] = weakref.WeakKeyDictionary()


def shared_pipeline(redis: Redis) -> AutoPipeline:
    """The one auto-pipeline of the client `redis`, for every store on it: the commands of a
    Telegram update (its update id, chat state, link, conversation) and of a USSD hop then
    share pipelines, and so socket writes, with those of every other update in flight,
    rather than each store sending its own (bench/RESULTS.md, Telegram session 9)."""
    pipeline = _shared.get(redis)
    if pipeline is None:
        pipeline = _shared[redis] = AutoPipeline(redis)
    return pipeline
