"""What a VTPass transaction webhook does: one requery per claim, in the background.

A callback's body is never trusted with money (it carries no signature): it only tells us which
purchase to requery, and `PurchaseService.requery` settles from VTPass's own answer, with the
usual compare-and-set. VTPass redelivers until acknowledged (up to 5 times), and several
gateways may each get a copy, so deliveries are deduplicated by (request_id, outcome) — first
in process memory, then, when Redis is configured, in Redis so one gateway of many acts.

The key that is remembered is what the requery *found*, not what the webhook *claimed*
(`outcomes.py`): a claim holds its key only while its requery runs, and a claim the requery
contradicts (a forged or early "reversed" for a purchase VTPass still calls delivered) is
forgotten, so the genuine reversal's webhook later still gets its requery and refund. A copy of
a claim that arrives while that claim's requery runs is noted; if the requery contradicts the
claim, it runs once more, so the copy cannot be lost to the in-flight one either. A delivered
purchase whose "reversed" claim was contradicted is also put up for the worker's post-delivery
check. Even a duplicate that slipped through would only requery twice: settling is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.purchases.models import VendingGateway
from gateway.purchases.service import PurchaseService
from gateway.scrub import scrub
from gateway.store import purchases as store
from gateway.store import rechecks
from gateway.store.purchases import PurchaseRecord
from gateway.webhooks.outcomes import final_keys, outcome_key, settled_outcome

logger = logging.getLogger(__name__)

DEDUPE_TTL_S = 6 * 3600.0  # VTPass's retries span minutes; a day's worth of memory is plenty
CLAIM_TTL_S = 300.0  # a claim's hold while its requery runs (a crashed gateway's expires)
RECHECK_AFTER_CONTRADICTION_S = 600.0  # a contradicted "reversed": the sweep asks again then
_MAX_ROUNDS = 3  # requeries for one claim (the first, and reruns for copies that came meanwhile)
_LOCAL_MEMORY = 50_000  # keys remembered in process (oldest forgotten first)

# KEYS: the claim, its "a copy came meanwhile" flag, then the final outcomes' keys.
# ARGV: the claim's hold in seconds. 1 = this delivery acts; 0 = a duplicate.
_CLAIM = """
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == 'found' then return 0 end
end
if redis.call('SET', KEYS[1], 'claim', 'NX', 'EX', ARGV[1]) then return 1 end
if redis.call('GET', KEYS[1]) == 'claim' then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
end
return 0
"""
# KEYS: the claim, its flag. Drops a hold that no requery confirmed; 1 = a copy came meanwhile.
_RELEASE = """
if redis.call('GET', KEYS[1]) == 'claim' then redis.call('DEL', KEYS[1]) end
return redis.call('DEL', KEYS[2])
"""


@dataclass(slots=True)
class _Memory:
    expires: float  # time.monotonic()
    found: bool  # a requery found this outcome (else: a claim whose requery runs)


class WebhookSettler:
    """Dedupes webhook claims on requery outcomes and runs the requeries as background tasks."""

    def __init__(
        self,
        service: PurchaseService,
        gateway: VendingGateway,
        clock: Clock,
        *,
        redis: Redis | None = None,
        redis_prefix: str = "paylink:",
        ttl_s: float = DEDUPE_TTL_S,
        claim_ttl_s: float = CLAIM_TTL_S,
    ) -> None:
        self._service = service
        self._gateway = gateway
        self._clock = clock
        self._redis = redis
        self._prefix = f"{redis_prefix}webhook:vtpass:"
        self._ttl_s = ttl_s
        self._claim_ttl_s = claim_ttl_s
        self._seen: OrderedDict[str, _Memory] = OrderedDict()
        self._copies: set[str] = set()  # claims a copy of which came while their requery ran
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def _db(self) -> async_sessionmaker[AsyncSession]:
        return self._service.sessionmaker

    async def first_delivery(self, key: str) -> bool:
        """True when the claim `key` must be requeried: no requery found that outcome (or a
        final one) yet and none for this claim is running, here or, with Redis, anywhere."""
        now = time.monotonic()
        request_id = key.rsplit(":", 1)[0]
        for final in final_keys(request_id):
            if self._known(final, now):
                return False
        held = self._seen.get(key)
        if held is not None and held.expires > now:
            if not held.found:
                self._copies.add(key)
            return False
        self._remember(key, now + self._claim_ttl_s, found=False)
        if self._redis is None:
            return True
        keys = [self._prefix + k for k in (key, f"{key}:copy", *final_keys(request_id))]
        try:
            fresh = await self._redis.eval(_CLAIM, len(keys), *keys, max(1, int(self._claim_ttl_s)))
        except Exception:  # Redis down: process-local dedupe still holds; settle is CAS
            logger.warning("webhook dedupe in Redis failed; deduping locally", exc_info=True)
            return True
        if not fresh:  # another gateway holds it (and was told of this copy) or knows it
            self._seen.pop(key, None)
        return bool(fresh)

    def _known(self, key: str, now: float) -> bool:
        memory = self._seen.get(key)
        return memory is not None and memory.found and memory.expires > now

    async def record_found(self, key: str) -> None:
        """Remember that a requery found the outcome `key`: later claims of it are copies."""
        self._remember(key, time.monotonic() + self._ttl_s, found=True)
        self._copies.discard(key)
        if self._redis is not None:
            try:
                await self._redis.set(self._prefix + key, b"found", ex=max(1, int(self._ttl_s)))
                await self._redis.delete(f"{self._prefix}{key}:copy")
            except Exception:
                logger.warning("could not record webhook outcome %s in Redis", key, exc_info=True)

    async def forget(self, key: str) -> bool:
        """Drop the hold of a claim no requery confirmed; True if a copy came meanwhile."""
        memory = self._seen.get(key)
        if memory is not None and not memory.found:
            del self._seen[key]
        copied = key in self._copies
        self._copies.discard(key)
        if self._redis is not None:
            keys = [self._prefix + key, f"{self._prefix}{key}:copy"]
            try:
                copied = bool(await self._redis.eval(_RELEASE, 2, *keys)) or copied
            except Exception:
                logger.warning("could not clear webhook key %s in Redis", key, exc_info=True)
        return copied

    def _remember(self, key: str, expires: float, *, found: bool) -> None:
        self._seen[key] = _Memory(expires, found)
        self._seen.move_to_end(key)
        while len(self._seen) > _LOCAL_MEMORY:
            self._seen.popitem(last=False)

    def settle_later(self, request_id: str, key: str, body: Mapping[str, Any]) -> None:
        """Requery the purchase VTPass calls `request_id` in a tracked background task."""
        task = asyncio.create_task(self._settle(request_id, key, body), name="vtpass-webhook")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle(self, request_id: str, key: str, body: Mapping[str, Any]) -> None:
        claim = key.rsplit(":", 1)[-1]
        for _ in range(_MAX_ROUNDS):
            try:
                before, after = await self._requery(request_id, claim, body)
            except Exception:
                logger.exception("VTPass webhook for %s: requery failed", request_id)
                await self.forget(key)
                return
            if after is None:
                logger.info("VTPass webhook for unknown request_id %s; acknowledged", request_id)
                await self.forget(key)
                return
            found = outcome_key(request_id, settled_outcome(after.status))
            await self.record_found(found)
            logger.info(
                "VTPass webhook for purchase %s (%s) claimed %s: %s -> %s after requery",
                after.id,
                request_id,
                claim,
                before,
                after.status,
            )
            if found == key:
                return
            await self._contradicted(after.id, after.status, claim)
            if not await self.forget(key) or not await self.first_delivery(key):
                return  # no copy came meanwhile, or another requery has taken the claim

    async def _requery(
        self, request_id: str, claim: str, body: Mapping[str, Any]
    ) -> tuple[PurchaseStatus | None, PurchaseRecord | None]:
        async with self._db.begin() as session:
            purchase = await store.get_by_request_id(session, request_id)
            if purchase is not None:
                await store.add_audit(
                    session,
                    purchase_id=purchase.id,
                    at=self._clock.now(),
                    op="webhook",
                    outcome=claim[:16],
                    response=scrub(dict(body)),
                )
        if purchase is None:
            return None, None
        return purchase.status, await self._service.requery(purchase.id, self._gateway)

    async def _contradicted(self, purchase_id: int, status: PurchaseStatus, claim: str) -> None:
        """A reversal VTPass does not show yet: have the worker's post-delivery check ask
        again later, in case it was early rather than forged."""
        if status is not PurchaseStatus.DELIVERED or claim != PurchaseStatus.REVERSED.value:
            return
        at = self._clock.now() + timedelta(seconds=RECHECK_AFTER_CONTRADICTION_S)
        async with self._db.begin() as session:
            await rechecks.schedule_check(session, purchase_id, at=at)

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
