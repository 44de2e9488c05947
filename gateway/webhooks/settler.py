"""What a VTPass transaction webhook does: one requery per event, in the background.

A callback's body is never trusted with money (it carries no signature): it only tells us which
purchase to requery, and `PurchaseService.requery` settles from VTPass's own answer, with the
usual compare-and-set. VTPass redelivers until acknowledged (up to 5 times), and several
gateways may each get a copy, so deliveries are deduplicated by (request_id, status) — a later
reversal of a delivered purchase is a new status and gets its own requery — first in process
memory, then, when Redis is configured, with `SET NX EX` so one gateway of many acts. Even a
duplicate that slipped through would only requery twice: settling is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.purchases.models import VendingGateway
from gateway.purchases.service import PurchaseService, scrub
from gateway.store import purchases as store

logger = logging.getLogger(__name__)

DEDUPE_TTL_S = 6 * 3600.0  # VTPass's retries span minutes; a day's worth of memory is plenty
_LOCAL_MEMORY = 50_000  # keys remembered in process (oldest forgotten first)


class WebhookSettler:
    """Dedupes webhook events and runs their requeries as tracked background tasks."""

    def __init__(
        self,
        service: PurchaseService,
        gateway: VendingGateway,
        clock: Clock,
        *,
        redis: Redis | None = None,
        redis_prefix: str = "paylink:",
        ttl_s: float = DEDUPE_TTL_S,
    ) -> None:
        self._service = service
        self._gateway = gateway
        self._clock = clock
        self._redis = redis
        self._prefix = f"{redis_prefix}webhook:vtpass:"
        self._ttl_s = ttl_s
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def _db(self) -> async_sessionmaker[AsyncSession]:
        return self._service.sessionmaker

    async def first_delivery(self, key: str) -> bool:
        """True exactly once per `key` (per TTL), across processes when Redis is configured."""
        now = time.monotonic()
        expires = self._seen.get(key)
        if expires is not None and expires > now:
            return False
        self._remember(key, now + self._ttl_s)
        if self._redis is not None:
            try:
                fresh = await self._redis.set(
                    self._prefix + key, b"1", nx=True, ex=max(1, int(self._ttl_s))
                )
            except Exception:  # Redis down: process-local dedupe still holds; settle is CAS
                logger.warning("webhook dedupe in Redis failed; deduping locally", exc_info=True)
                return True
            return bool(fresh)
        return True

    async def forget(self, key: str) -> None:
        """Let a redelivery of `key` act again (its requery could not run)."""
        self._seen.pop(key, None)
        if self._redis is not None:
            try:
                await self._redis.delete(self._prefix + key)
            except Exception:
                logger.warning("could not clear webhook key %s in Redis", key, exc_info=True)

    def _remember(self, key: str, expires: float) -> None:
        self._seen[key] = expires
        self._seen.move_to_end(key)
        while len(self._seen) > _LOCAL_MEMORY:
            self._seen.popitem(last=False)

    def settle_later(self, request_id: str, key: str, body: Mapping[str, Any]) -> None:
        """Requery the purchase VTPass calls `request_id` in a tracked background task."""
        task = asyncio.create_task(self._settle(request_id, key, body), name="vtpass-webhook")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle(self, request_id: str, key: str, body: Mapping[str, Any]) -> None:
        try:
            async with self._db.begin() as session:
                purchase = await store.get_by_request_id(session, request_id)
                if purchase is not None:
                    await store.add_audit(
                        session,
                        purchase_id=purchase.id,
                        at=self._clock.now(),
                        op="webhook",
                        outcome=key.rsplit(":", 1)[-1][:16],
                        response=scrub(dict(body)),
                    )
            if purchase is None:
                logger.info("VTPass webhook for unknown request_id %s; acknowledged", request_id)
                return
            before = purchase.status
            after = await self._service.requery(purchase.id, self._gateway)
        except Exception:
            logger.exception("VTPass webhook for %s: requery failed", request_id)
            await self.forget(key)
            return
        logger.info(
            "VTPass webhook for purchase %s (%s): %s -> %s after requery",
            purchase.id,
            request_id,
            before,
            after.status,
        )

    async def drain(self) -> None:
        """Wait for every requery started so far (and any started meanwhile)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self, grace_s: float = 5.0) -> None:
        """Let running requeries finish for up to `grace_s`, then cancel the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
