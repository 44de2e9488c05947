"""Collector tuning belongs to the `paylink serve` process: after start-up, never in the app."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web

from gateway.cli.collector import GC_THRESHOLD, tune_collector_after_start_up


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The tuning is for the rest of a process; this test process gets its collector back."""
    before = gc.get_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


async def test_serve_freezes_what_start_up_built_and_raises_the_young_threshold(
    collector_restored: None,
) -> None:
    seen_during_start_up: list[tuple[int, tuple[int, int, int]]] = []

    async def pool_ctx(_app: web.Application) -> AsyncIterator[None]:
        seen_during_start_up.append((gc.get_freeze_count(), gc.get_threshold()))
        yield

    app = web.Application()
    app.cleanup_ctx.append(pool_ctx)
    runner = web.AppRunner(tune_collector_after_start_up(app))
    await runner.setup()
    try:
        # tuned only once every cleanup context had started, so their pools are frozen too
        assert seen_during_start_up == [(0, seen_during_start_up[0][1])]
        assert seen_during_start_up[0][1] != GC_THRESHOLD
        assert gc.get_threshold() == GC_THRESHOLD
        assert gc.get_freeze_count() > 0
    finally:
        await runner.cleanup()
