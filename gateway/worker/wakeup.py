"""Waking the worker the moment a purchase is submitted; the DB stays the source of truth.

A wake-up is only a hint: the worker then claims due purchases from the database, and a
periodic sweep claims anything a lost hint (a crash, a Redis blip) left behind. In one process
(the embedded default) an `asyncio.Event` is enough; across processes Redis pub/sub carries the
hint to every `paylink worker`, which then race politely through `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from redis.asyncio import Redis

from gateway.purchases.wakeup import WakeUp

logger = logging.getLogger(__name__)


class WorkerWakeUp(WakeUp, Protocol):
    """The purchases' `WakeUp` as the worker sees it: submitters call `notify`; workers
    `wait`; `poke` wakes only this process's waiters."""

    def poke(self) -> None:
        """Wake this process's waiters without telling anyone else (shutdown, free slots)."""
        ...

    async def wait(self, seconds: float) -> bool:
        """Sleep until woken or `seconds` pass; True when woken."""
        ...

    async def close(self) -> None: ...


class LocalWakeUp:
    """In-process wake-ups (the embedded default): one event, set by submits, cleared by waits."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def notify(self) -> None:
        self._event.set()

    def poke(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        self._event.clear()
        return True

    async def close(self) -> None:
        self._event.set()


class RedisWakeUp(LocalWakeUp):
    """Wake-ups over Redis pub/sub, so a submit in any gateway wakes every worker.

    Pub/sub (not a list) because a hint is not a job: every worker may look, the database
    decides who gets what. Messages published while no worker listens are simply lost; the
    sweep covers that. The subscription starts with the first `wait`, so a gateway that only
    submits never holds a pub/sub connection.
    """

    def __init__(self, redis: Redis, channel: str) -> None:
        super().__init__()
        self._redis = redis
        self._channel = channel
        self._listener: asyncio.Task[None] | None = None

    async def notify(self) -> None:
        await self._redis.publish(self._channel, b"1")

    async def wait(self, seconds: float) -> bool:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="redis-wakeup")
        return await super().wait(seconds)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self.poke()  # we may have missed hints while (re)subscribing
                    async for _message in pubsub.listen():
                        self.poke()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: the sweep keeps working, retry quietly
                logger.warning("worker wake-up channel lost; resubscribing", exc_info=True)
                await asyncio.sleep(1.0)

    async def close(self) -> None:
        await super().close()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
