"""The menu snapshot: one build however many hops wait cold, then stale-while-rebuilding.

Story: at start-up the catalogue is cold; the first burst of hops shares one build. After the
TTL a hop gets the old snapshot at once and a rebuild runs behind it; if that rebuild fails the
old snapshot keeps serving and the next attempt waits a little.
"""

from __future__ import annotations

import asyncio

import pytest

from gateway.conversations.catalogue_provider import RETRY_AFTER_S, CatalogueProvider
from gateway.errors import UpstreamUnavailable
from tests.conversations.conftest import Ticker
from tests.conversations.fakes import FakeCatalogue


async def idle(provider: CatalogueProvider) -> None:
    """Wait until no build is in flight."""
    for _ in range(400):
        if provider._task is None:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the rebuild never finished")


async def test_cold_hops_share_one_build():
    catalogue = FakeCatalogue()
    catalogue.delay = 0.01
    provider = CatalogueProvider(catalogue, 60)
    snapshots = await asyncio.gather(*(provider.snapshot() for _ in range(20)))
    assert len({id(s) for s in snapshots}) == 1
    assert catalogue.calls["categories"] == 1
    assert snapshots[0].services("data")
    assert snapshots[0].variations("mtn-data")
    assert not snapshots[0].variations("ikeja-electric")  # plans only where menus list them
    await provider.aclose()


async def test_a_stale_snapshot_is_served_while_a_rebuild_runs():
    catalogue, ticker = FakeCatalogue(), Ticker()
    provider = CatalogueProvider(catalogue, 60, now=ticker)
    first = await provider.snapshot()
    ticker.now += 61
    catalogue.delay = 0.005
    assert await provider.snapshot() is first  # no waiting
    assert await provider.snapshot() is first  # still one rebuild in flight
    await idle(provider)
    fresh = await provider.snapshot()
    assert fresh is not first
    assert catalogue.calls["categories"] == 2
    await provider.aclose()


async def test_a_failed_rebuild_keeps_the_old_snapshot_and_backs_off():
    catalogue, ticker = FakeCatalogue(), Ticker()
    provider = CatalogueProvider(catalogue, 60, now=ticker)
    first = await provider.snapshot()
    ticker.now += 61
    catalogue.fail = True
    assert await provider.snapshot() is first
    await idle(provider)
    assert await provider.snapshot() is first
    await idle(provider)
    assert catalogue.calls["categories"] == 2  # not retried on every hop
    ticker.now += RETRY_AFTER_S
    catalogue.fail = False
    await provider.snapshot()
    await idle(provider)
    assert await provider.snapshot() is not first
    await provider.aclose()


async def test_a_cold_failure_raises_and_the_next_hop_tries_again():
    catalogue = FakeCatalogue()
    catalogue.fail = True
    provider = CatalogueProvider(catalogue, 60)
    with pytest.raises(UpstreamUnavailable):
        await provider.snapshot()
    catalogue.fail = False
    assert (await provider.snapshot()).services("airtime")
    await provider.aclose()


async def test_warm_builds_in_the_background_and_close_cancels_it():
    catalogue = FakeCatalogue()
    catalogue.delay = 10
    provider = CatalogueProvider(catalogue, 60)
    provider.warm()
    await asyncio.sleep(0)
    building = [t for t in asyncio.all_tasks() if t.get_name() == "ussd-catalogue"]
    assert len(building) == 1
    assert not building[0].done()  # warm() did not wait for the build
    await asyncio.wait_for(provider.aclose(), 1)  # must not hang (the build takes 10 s)
    assert building[0].cancelled()  # nor leak the task
