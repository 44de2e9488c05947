"""Group commit: concurrent callers share one database transaction (or one Redis pipeline).

Why: on a busy gateway most of a purchase's cost is per transaction and per round trip (BEGIN,
each statement's latency, COMMIT's WAL flush, the driver's Python around each), not per row;
likewise a session store's command costs more in the client's per-call machinery and the
socket than in Redis. Callers queue their item and wait; a runner takes everything queued
(up to `max_batch`) and handles it in one go, while at most `max_concurrent` batches run at
once. An idle gateway therefore runs each item alone and at once (no timer, no added
latency); a loaded one spreads one transaction over many items. With `same_turn`, a runner
takes its batch when it starts, one event-loop turn after the first item queued, so every item
queued in that turn (requests read from the same poll) shares it instead of the first one
or two items each taking a batch of their own.

The batch handler returns one outcome per item: a value, or an exception for that item alone
(in a transaction, a refusal that wrote nothing for it). A batch whose handler raises is
retried one item at a time (no more at once than `max_concurrent`), so one bad item only ever
fails its own caller; a handler that must not be retried so (a Redis pipeline whose connection
failed) returns the failure as every item's outcome instead. A caller cancelled before its
batch starts is dropped from it (nothing is done for it); once the batch runs, its work stands
or falls with the batch (a transaction commits or rolls back), like any request cancelled
after it reached the database, and a failed batch is not retried for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

BatchHandler = Callable[[Sequence[T]], Awaitable[Sequence[R | Exception]]]


class GroupCommit(Generic[T, R]):
    """Run `handler` over batches of concurrently submitted items; see the module docstring."""

    def __init__(
        self,
        handler: BatchHandler[T, R],
        *,
        name: str,
        max_batch: int = 64,
        max_concurrent: int = 2,
        same_turn: bool = False,
    ) -> None:
        if max_batch < 1 or max_concurrent < 1:
            raise ValueError("max_batch and max_concurrent must be at least 1")
        self._handler = handler
        self._name = name
        self.max_batch = max_batch
        self.max_concurrent = max_concurrent
        self._same_turn = same_turn
        self._taker: asyncio.Task[None] | None = None  # started, its batch not taken yet
        self._queue: deque[tuple[T, asyncio.Future[R]]] = deque()
        self._running: set[asyncio.Task[None]] = set()
        self.batches = 0  # batches run (for tests and benchmarks)
        self.largest = 0  # the largest batch so far

    async def __call__(self, item: T) -> R:
        """Queue `item`, wait for its batch, and return its outcome (or raise its error)."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        self._start()
        return await future

    async def many(self, items: Sequence[T]) -> list[R]:
        """Queue every item of `items` before any batch starts, so they share one (unless it
        fills up); their outcomes in order, or the first item's error once all are done."""
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[R]] = [loop.create_future() for _ in items]
        self._queue.extend(zip(items, futures, strict=True))
        self._start()
        outcomes: list[R] = []
        failure: BaseException | None = None
        for future in futures:
            try:
                outcomes.append(await future)
            except Exception as exc:  # every future is awaited: none is left unretrieved
                failure = failure or exc
        if failure is not None:
            raise failure
        return outcomes

    async def drain(self) -> None:
        """Wait until every queued and running batch has finished (shutdown)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def _start(self) -> None:
        if self._same_turn:
            if self._queue and self._taker is None and len(self._running) < self.max_concurrent:
                self._taker = self._spawn(self._take_and_run())
            return
        while self._queue and len(self._running) < self.max_concurrent:
            batch = self._take()
            if not batch:
                return
            self._spawn(self._run(batch))

    def _take(self) -> list[tuple[T, asyncio.Future[R]]]:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        while self._queue and len(batch) < self.max_batch:
            entry = self._queue.popleft()
            if not entry[1].done():  # its caller was cancelled while it queued
                batch.append(entry)
        return batch

    def _spawn(self, runner: Coroutine[None, None, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(runner, name=f"group-commit-{self._name}")
        self._running.add(task)
        task.add_done_callback(self._finished)
        return task

    async def _take_and_run(self) -> None:
        # started one loop turn ago: every item queued in that turn is here now
        self._taker = None
        batch = self._take()
        self._start()  # the rest, if more than a batch queued, while a slot is free
        if batch:
            await self._run(batch)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._taker is task:  # cancelled before it took its batch
            self._taker = None
        self._start()

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        self.batches += 1
        self.largest = max(self.largest, len(batch))
        try:
            outcomes = await self._handler([item for item, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{self._name}: {len(outcomes)} outcomes for {len(batch)} items")
        except Exception as exc:
            if len(batch) == 1:
                _resolve(batch[0][1], exc)
                return
            logger.warning(
                "%s: a batch of %d failed (%s: %s); retrying its items one by one",
                self._name,
                len(batch),
                type(exc).__name__,
                _first_line(exc),
            )
            # still waiting callers only, and no more transactions at once than batches
            slots = asyncio.Semaphore(self.max_concurrent)

            async def alone(entry: tuple[T, asyncio.Future[R]]) -> None:
                async with slots:
                    if not entry[1].done():
                        await self._run([entry])

            await asyncio.gather(*(alone(entry) for entry in batch))
            return
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            _resolve(future, outcome)


def _first_line(exc: Exception) -> str:
    # the driver's own message, first line only: later lines (DETAIL) may quote row values
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0][:200] if lines else ""


def _resolve(future: asyncio.Future[R], outcome: R | Exception) -> None:
    if future.done():  # the caller gave up waiting; the work stands
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
