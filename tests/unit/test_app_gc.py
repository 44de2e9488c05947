"""`gc_ctx`: the collector is tuned while an app runs and put back as it was afterwards."""

from __future__ import annotations

import gc

from aiohttp import web

from gateway.app import GC_THRESHOLD, gc_ctx


async def test_start_up_objects_are_frozen_while_the_app_runs_and_released_after():
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    running = gc_ctx(web.Application())
    await anext(running)
    try:
        assert gc.get_threshold() == GC_THRESHOLD
        assert gc.get_freeze_count() > 0
    finally:
        await anext(running, None)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
