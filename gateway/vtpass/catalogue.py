"""A TTL cache (cachetools, single-flight) in front of VTPass's catalogue.

Why: USSD menus are built from the catalogue on every hop and must answer within ~2 s, while the
catalogue changes a few times a day. Each key expires on its own; concurrent misses for one key
share one fetch (a USSD burst after expiry makes one VTPass call, not fifty). Failed fetches are
not cached. The clock is injected, so tests expire entries by moving a `FixedClock`.

Fetches run in tasks of their own (shielded from any one waiter's cancellation), so they can
outlive every caller: `aclose()` cancels and awaits them before the HTTP client under them
closes, or one still connecting would go on after its owner shut down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import partial
from typing import Generic, Protocol, TypeVar, cast

import cachetools

from gateway.clock import Clock, SystemClock
from gateway.vtpass.models import Category, Service, Variation

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING = object()
_MAXSIZE = 4096  # keys are categories, services and service ids: a few hundred in all


class SingleFlightCache(Generic[K, V]):
    """Per-key expiry (a `cachetools.TTLCache` on the injected clock) plus single-flight
    fetching on a miss, which cachetools does not do for coroutines."""

    def __init__(self, ttl_s: float, clock: Clock, *, maxsize: int = _MAXSIZE) -> None:
        if ttl_s < 0:
            raise ValueError("ttl_s must not be negative")
        self._entries: cachetools.TTLCache[K, V] = cachetools.TTLCache(
            maxsize, ttl_s, timer=lambda: clock.now().timestamp()
        )
        self._inflight: dict[K, asyncio.Task[V]] = {}
        self._fills: set[asyncio.Task[V]] = set()  # running, invalidated ones included

    async def get(self, key: K, fetch: Callable[[], Awaitable[V]]) -> V:
        """The cached value for `key`, fetching it (once, however many callers wait) if stale."""
        cached = self._entries.get(key, _MISSING)
        if cached is not _MISSING:
            return cast(V, cached)
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fill(key, fetch))
            self._inflight[key] = task
            self._fills.add(task)
            task.add_done_callback(lambda t: self._forget(key, t))
        # shield: one waiter being cancelled must not cancel the fetch the others wait for
        return await asyncio.shield(task)

    def invalidate(self, key: K | None = None) -> None:
        """Drop one key (or everything).

        A fetch already in flight still answers its waiters but is not stored, since it may
        have read the catalogue from before the change that caused the invalidation.
        """
        if key is None:
            self._entries.clear()
            self._inflight.clear()
        else:
            self._entries.pop(key, None)
            self._inflight.pop(key, None)

    async def aclose(self) -> None:
        """Cancel every fetch still running and wait for it (the owner is shutting down)."""
        fills = list(self._fills)
        self._inflight.clear()
        for task in fills:
            task.cancel()
        await asyncio.gather(*fills, return_exceptions=True)

    async def _fill(self, key: K, fetch: Callable[[], Awaitable[V]]) -> V:
        value = await fetch()
        if self._inflight.get(key) is asyncio.current_task():  # not invalidated meanwhile
            self._entries[key] = value
        return value

    def _forget(self, key: K, task: asyncio.Task[V]) -> None:
        self._fills.discard(task)
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # mark retrieved: a failure nobody awaited is not worth a log line


class CatalogueSource(Protocol):
    """What `CachedCatalogue` reads from; `VTPassClient` is one."""

    async def categories(self) -> list[Category]: ...
    async def services(self, category: str) -> list[Service]: ...
    async def variations(self, service_id: str) -> list[Variation]: ...


class CachedCatalogue:
    """`categories()` / `services()` / `variations()` of `source`, cached for `ttl_s` each.

    `VTPassClient` builds one as `client.catalogue`; the client's own methods always hit VTPass
    (for `paylink catalogue sync`). A variations-update webhook calls `invalidate_variations`.
    """

    def __init__(self, source: CatalogueSource, ttl_s: float, clock: Clock | None = None) -> None:
        clock = clock or SystemClock()
        self._source = source
        self._categories = SingleFlightCache[str, Sequence[Category]](ttl_s, clock)
        self._services = SingleFlightCache[str, Sequence[Service]](ttl_s, clock)
        self._variations = SingleFlightCache[str, Sequence[Variation]](ttl_s, clock)

    async def categories(self) -> list[Category]:
        return list(await self._categories.get("", self._source.categories))

    async def services(self, category: str) -> list[Service]:
        return list(await self._services.get(category, partial(self._source.services, category)))

    async def variations(self, service_id: str) -> list[Variation]:
        fetch = partial(self._source.variations, service_id)
        return list(await self._variations.get(service_id, fetch))

    def invalidate_variations(self, service_id: str) -> None:
        self._variations.invalidate(service_id)

    def invalidate(self) -> None:
        for cache in (self._categories, self._services, self._variations):
            cache.invalidate()

    async def aclose(self) -> None:
        """Stop the fetches still running; the client calls it before closing its HTTP pool."""
        for cache in (self._categories, self._services, self._variations):
            await cache.aclose()
