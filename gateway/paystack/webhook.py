"""`POST /webhooks/paystack`: signature first, then a durable de-duplication, then 200.

The order is the contract (paystack.md §3.5): rate limit by address; read the raw body;
compare `x-paystack-signature` in constant time (401 and nothing done otherwise, so a genuine
event signed with a key we lost gets retried); store the event under its unique key; answer
200; process in the background. A redelivery finds its key stored and gets 200 with no effect;
an event whose processing was lost (a crash after the 200) is recovered by the sweep, which
verifies open fundings and lists recent transactions.

Why batches and a bound: under a burst, concurrent events share one INSERT for their rows
and one round trip for their outcomes (`GroupCommit`; a checkout's `credited` is written by
its credit's own statement, with no round trip of its own), and at most `PROCESSING` events
are verified and credited at once, so the acknowledgements never queue behind thousands of
background tasks for a database connection (Paystack counts a slow 200 as a failure).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine, Sequence
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.group_commit import GroupCommit
from gateway.paystack import batch_sql, store
from gateway.paystack.crediting import Crediting, EventNote
from gateway.paystack.events import Read, event_key, event_reference, process
from gateway.paystack.rate_limit import WindowLimit
from gateway.paystack.signature import signature_matches
from gateway.settings import Secret

logger = logging.getLogger(__name__)

ROUTE = "/webhooks/paystack"
MAX_BODY = 256 * 1024
PROCESSING = 128  # events verified and credited at once (the rest wait their turn)

_Recorded = tuple[int, Read | None] | None  # a new event's id and what was read with it


class WebhookProcessor:
    """Checks, records and (in tracked background tasks) processes Paystack's events."""

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        crediting: Crediting,
        clock: Clock,
        secret_key: Secret,
        limit: WindowLimit,
    ) -> None:
        self._db = db
        self._autocommit = batch_sql.autocommit_engine(db)
        self._crediting = crediting
        self._clock = clock
        self._key = secret_key
        self._limit = limit
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(PROCESSING)
        self._record = GroupCommit(
            self._record_batch, name="paystack-events", max_batch=256, same_turn=True
        )
        self._done = GroupCommit(
            self._done_batch, name="paystack-outcomes", max_batch=256, same_turn=True
        )

    async def receive(self, address: str, raw: bytes, signature: str | None) -> web.Response:
        if not await self._limit.allow(address):
            return web.json_response({"error": "too many requests"}, status=429)
        if not signature_matches(self._key.value, raw, signature):
            logger.warning("Paystack webhook with a bad or missing signature from %s", address)
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            payload = json.loads(raw)
            event, data = str(payload["event"]), payload["data"]
            if not isinstance(data, dict):
                raise TypeError("data is not an object")
        except (ValueError, KeyError, TypeError):
            # signed but unreadable: a redelivery cannot read better; the sweep still settles
            logger.warning("unreadable signed Paystack webhook (%d bytes)", len(raw))
            return web.json_response({"ok": True})
        key = event_key(event, data, raw)
        recorded = await self._record((key, event, event_reference(event, data)))
        if recorded is None:
            logger.info("duplicate Paystack event %s ignored", key)
            return web.json_response({"ok": True, "duplicate": True})
        event_id, read = recorded
        self._spawn(self._process(event_id, event, data, read))
        return web.json_response({"ok": True})

    async def _record_batch(self, items: Sequence[tuple[str, str, str | None]]) -> list[_Recorded]:
        """Store a batch of events; each key's first item gets its new id (and on Postgres the
        funding it names, read in the same statement), the rest None."""
        now = self._clock.now()
        if self._autocommit is not None:
            async with self._autocommit.connect() as connection:
                found = await batch_sql.record_events_reading(connection, items, now)
            read = {key: (event_id, Read(funding)) for key, (event_id, funding) in found.items()}
            return [read.pop(key, None) for key, _, _ in items]
        async with self._db.begin() as session:
            new = await store.record_events(session, list(items), now)
        return [None if key not in new else (new.pop(key), None) for key, _, _ in items]

    async def _done_batch(self, items: Sequence[tuple[int, str]]) -> list[None]:
        if self._autocommit is not None:
            async with self._autocommit.connect() as connection:
                await batch_sql.events_done(connection, items, self._clock.now())
        else:
            async with self._db.begin() as session:
                await store.events_done(session, list(items), self._clock.now())
        return [None] * len(items)

    async def _process(
        self, event_id: int, event: str, data: dict[str, Any], read: Read | None
    ) -> None:
        note = EventNote(event_id)
        async with self._slots:
            try:
                outcome = await process(self._crediting, event, data, read, note)
            except Exception:
                # the event stays unprocessed; the sweep's verify and listing settle its money
                logger.exception(
                    "Paystack event %d (%s) failed; the sweep will settle it", event_id, event
                )
                return
        if note.written:
            return  # its credit's transaction wrote the outcome
        try:
            await self._done((event_id, outcome))
        except Exception:
            # the money is settled; only the note of what the event did is missing
            logger.exception("Paystack event %d: its outcome was not recorded", event_id)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro, name="paystack-event")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every event in flight (tests; shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace_s: float = 5.0) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace_s)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        # a cancelled event leaves its batch running: it holds a database connection
        await self._record.drain()
        await self._done.drain()
