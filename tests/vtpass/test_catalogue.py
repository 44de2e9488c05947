"""The catalogue TTL cache: per-key expiry, single-flight misses, no caching of failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from gateway.clock import FixedClock
from gateway.money import Kobo
from gateway.vtpass.catalogue import CachedCatalogue, SingleFlightCache
from gateway.vtpass.models import Category, Service, Variation


class FakeSource:
    """A catalogue source that records calls and can be held open or made to fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_next = False
        self.version = 1
        self.cancelled = 0  # fetches stopped half-way

    async def _answer(self, kind: str, key: str) -> None:
        self.calls.append((kind, key))
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("VTPass down")

    async def categories(self) -> list[Category]:
        await self._answer("categories", "")
        return [Category("airtime", f"Airtime v{self.version}")]

    async def services(self, category: str) -> list[Service]:
        await self._answer("services", category)
        return [Service(f"{category}-{self.version}", "S", category, "fix", None, None, "")]

    async def variations(self, service_id: str) -> list[Variation]:
        await self._answer("variations", service_id)
        return [Variation(f"plan-{self.version}", "Plan", Kobo(100), True)]


async def fetching(source: FakeSource) -> None:
    """Until a fetch has reached the source."""
    while not source.calls:
        await asyncio.sleep(0)


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))


async def test_hits_within_ttl_and_refetches_after(clock):
    source = FakeSource()
    catalogue = CachedCatalogue(source, ttl_s=60, clock=clock)
    assert (await catalogue.categories())[0].name == "Airtime v1"
    source.version = 2
    clock.advance(59)
    assert (await catalogue.categories())[0].name == "Airtime v1"
    clock.advance(1)
    assert (await catalogue.categories())[0].name == "Airtime v2"
    assert source.calls == [("categories", ""), ("categories", "")]


async def test_each_key_expires_on_its_own(clock):
    source = FakeSource()
    catalogue = CachedCatalogue(source, ttl_s=60, clock=clock)
    await catalogue.services("data")
    clock.advance(30)
    await catalogue.services("airtime")
    clock.advance(30)  # data is stale now, airtime is not
    await catalogue.services("data")
    await catalogue.services("airtime")
    assert source.calls == [("services", "data"), ("services", "airtime"), ("services", "data")]


async def test_concurrent_misses_for_one_key_share_one_fetch(clock):
    source = FakeSource()
    source.gate.clear()
    catalogue = CachedCatalogue(source, ttl_s=60, clock=clock)
    waiters = [asyncio.create_task(catalogue.variations("mtn-data")) for _ in range(50)]
    other = asyncio.create_task(catalogue.variations("glo-data"))
    await asyncio.sleep(0)
    source.gate.set()
    results = await asyncio.gather(*waiters, other)
    assert all(r == results[0] for r in results[:50])
    assert sorted(source.calls) == [("variations", "glo-data"), ("variations", "mtn-data")]


async def test_failures_are_shared_but_not_cached(clock):
    source = FakeSource()
    source.gate.clear()
    source.fail_next = True
    catalogue = CachedCatalogue(source, ttl_s=60, clock=clock)
    waiters = [asyncio.create_task(catalogue.categories()) for _ in range(3)]
    await asyncio.sleep(0)
    source.gate.set()
    outcomes = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert len(source.calls) == 1
    assert (await catalogue.categories())[0].name == "Airtime v1"  # next call tries again
    assert len(source.calls) == 2


async def test_a_cancelled_waiter_does_not_cancel_the_shared_fetch(clock):
    source = FakeSource()
    source.gate.clear()
    catalogue = CachedCatalogue(source, ttl_s=60, clock=clock)
    first = asyncio.create_task(catalogue.categories())
    second = asyncio.create_task(catalogue.categories())
    await asyncio.sleep(0)
    first.cancel()
    source.gate.set()
    assert (await second)[0].name == "Airtime v1"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert len(source.calls) == 1


async def test_invalidate_variations_forces_a_refetch_and_discards_in_flight(clock):
    source = FakeSource()
    catalogue = CachedCatalogue(source, ttl_s=3600, clock=clock)
    await catalogue.variations("smile-direct")
    source.gate.clear()
    stale = asyncio.create_task(catalogue.variations("smile-direct"))  # cached: no fetch
    assert (await stale)[0].code == "plan-1"
    catalogue.invalidate_variations("smile-direct")
    in_flight = asyncio.create_task(catalogue.variations("smile-direct"))
    await asyncio.sleep(0)
    catalogue.invalidate_variations("smile-direct")  # a webhook arrives during the fetch
    source.version = 2
    source.gate.set()
    await in_flight
    assert (await catalogue.variations("smile-direct"))[0].code == "plan-2"
    assert len(source.calls) == 3


async def test_returned_lists_are_copies(clock):
    catalogue = CachedCatalogue(FakeSource(), ttl_s=60, clock=clock)
    (await catalogue.categories()).clear()
    assert len(await catalogue.categories()) == 1


async def test_zero_ttl_means_no_caching(clock):
    source = FakeSource()
    cache: SingleFlightCache[str, int] = SingleFlightCache(0, clock)

    async def fetch() -> int:
        source.calls.append(("x", ""))
        return 1

    await cache.get("k", fetch)
    await cache.get("k", fetch)
    assert len(source.calls) == 2


def test_negative_ttl_is_refused(clock):
    with pytest.raises(ValueError, match="ttl"):
        SingleFlightCache(-1, clock)


async def test_aclose_stops_a_fetch_that_every_waiter_gave_up_on(clock):
    source = FakeSource()
    source.gate.clear()
    catalogue = CachedCatalogue(source, ttl_s=60, clock=clock)
    waiter = asyncio.create_task(catalogue.categories())
    await fetching(source)
    waiter.cancel()  # the shielded fetch runs on without it
    await asyncio.gather(waiter, return_exceptions=True)
    await catalogue.aclose()
    assert source.cancelled == 1
    assert not [t for t in asyncio.all_tasks() if "_fill" in repr(t.get_coro())]


async def test_aclose_also_stops_a_fetch_dropped_by_invalidate(clock):
    source = FakeSource()
    source.gate.clear()
    catalogue = CachedCatalogue(source, ttl_s=60, clock=clock)
    waiter = asyncio.create_task(catalogue.variations("mtn-data"))
    await fetching(source)
    catalogue.invalidate()  # forgotten by the cache, still fetching
    await catalogue.aclose()
    assert source.cancelled == 1
    with pytest.raises(asyncio.CancelledError):
        await waiter
