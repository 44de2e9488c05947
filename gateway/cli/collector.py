"""Garbage-collector tuning for the `paylink serve` process, set once at its entry point.

Why here and not in the app: the collector is interpreter-wide. An app factory that tuned it
would change every process that builds an app (tests build hundreds), and would have to undo
it at shutdown; the process that serves owns its interpreter, so it tunes it once and for good.

What: start-up builds modules, settings, routes and pools that live as long as the process,
yet every full collection walked them all again; `gc.freeze` moves them to a generation the
collector never scans. A hop allocates many short-lived objects that reference counting frees
at once; a larger young-generation threshold means fewer passes over those still in flight.
Cyclic garbage is still collected, in bigger, rarer batches. The gain on the menu journey is
in `bench/RESULTS.md` (the benchmark's floor runs with the same settings).
"""

from __future__ import annotations

import gc

from aiohttp import web

GC_THRESHOLD = (10_000, 10, 10)  # a young-generation pass every 10,000 net allocations, not 700


def tune_collector() -> None:
    """Freeze everything built so far and collect young objects less often, for the process."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def tune_collector_after_start_up(app: web.Application) -> web.Application:
    """`app`, set to tune the collector once its cleanup contexts have started.

    An `on_startup` handler added after `create_app` runs after every cleanup context's
    start-up half, so the pools and caches they build are frozen too.
    """

    async def tune(_app: web.Application) -> None:
        tune_collector()

    app.on_startup.append(tune)
    return app
