"""`harness`: the gateway app on Postgres or SQLite against the real simulator (see harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.worker.runner import Worker
from tests.purchases.conftest import clock, service  # noqa: F401 - fixtures
from tests.worker.harness import Harness, start_harness


@pytest.fixture
def gateway_overrides() -> dict[str, Any]:
    """Settings to change for one test: `@pytest.mark.parametrize("gateway_overrides", [...])`."""
    return {}


@pytest.fixture
async def harness(
    simulator, sim_clock, db_url, sessionmaker, aiohttp_server, gateway_overrides
) -> AsyncIterator[Harness]:
    made, control = await start_harness(
        aiohttp_server, simulator, sim_clock, db_url, **gateway_overrides
    )
    try:
        yield made
    finally:
        await control.aclose()


@pytest.fixture
async def pg_harness(
    simulator, sim_clock, pg_url, pg_sessionmaker, aiohttp_server, gateway_overrides
) -> AsyncIterator[Harness]:
    made, control = await start_harness(
        aiohttp_server, simulator, sim_clock, pg_url, **gateway_overrides
    )
    try:
        yield made
    finally:
        await control.aclose()


@pytest.fixture
async def worker(harness) -> AsyncIterator[Worker]:
    """The running worker: the app's own on SQLite (embedded), else one started here.

    Both run `FAST`, without a recheck loop: post-delivery checks run only when the test
    calls `recheck_delivered`, so which call takes a due check is never a race.
    """
    if harness.app_worker is not None:
        yield harness.app_worker
        return
    started = harness.worker()
    started.start()
    try:
        yield started
    finally:
        await started.stop()
