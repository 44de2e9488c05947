"""The app leaves the interpreter's collector alone: tuning it is `paylink serve`'s job."""

from __future__ import annotations

import gc

from gateway.cli.collector import GC_THRESHOLD


async def test_a_started_app_leaves_the_collector_untuned_and_nothing_frozen(client) -> None:
    # a test process (or any host process) builds many apps: none may tune its collector
    assert client.server.app is not None  # started: every cleanup context has run
    assert gc.get_threshold() != GC_THRESHOLD
    assert gc.get_freeze_count() == 0
