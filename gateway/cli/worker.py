"""`paylink worker`: the background worker alone, built from the app's own cleanup contexts.

It runs the same contexts as `paylink serve` (database, Redis, VTPass client, purchase service)
without an HTTP server, plus the worker, until SIGINT/SIGTERM; then it stops gracefully.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from functools import partial
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from gateway.channels.telegram_notifier import telegram_notifier_ctx
from gateway.cli import preflight
from gateway.clock import Clock, SystemClock
from gateway.embedded_simulator import simulator_ctx
from gateway.keys import clock_key, readiness_checks_key, registry_key, settings_key
from gateway.metrics import forget_this_process
from gateway.paystack.context import paystack_ctx
from gateway.purchases.context import purchases_ctx
from gateway.security.context import pins_ctx
from gateway.settings import Settings
from gateway.sms.context import sms_ctx
from gateway.store.db import db_ctx
from gateway.store.redis import redis_ctx
from gateway.vtpass.context import vtpass_ctx
from gateway.worker.context import wakeup_ctx, worker_ctx

log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    worker = commands.add_parser(
        "worker", help="run the background worker (vend, requery sweep, outbox, catalogue)"
    )
    worker.set_defaults(handler=run_worker)


def create_worker_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """An app with the worker's resources and no routes; `clock` as for `create_app`."""
    app = web.Application()
    app[settings_key] = settings
    app[clock_key] = clock or SystemClock()
    app[registry_key] = CollectorRegistry()
    app[readiness_checks_key] = {}
    app.cleanup_ctx.extend(
        [
            simulator_ctx,
            db_ctx,
            redis_ctx,
            pins_ctx,  # the purchase service takes the PIN service (issue 14)
            vtpass_ctx,
            wakeup_ctx,
            purchases_ctx,
            sms_ctx,  # the AT sender, when configured
            telegram_notifier_ctx,  # registers the receipt sender for the "telegram" lane
            partial(paystack_ctx, sweep=True),  # the funding sweep (issue 19)
            partial(worker_ctx, always=True),
        ]
    )
    return app


def run_worker(settings: Settings, _args: argparse.Namespace, clock: Clock) -> int:
    from gateway.store.migrate import upgrade

    if settings.embedded:
        upgrade(settings.database_url.value)  # as `serve` does, so one command is enough
    preflight.check_database(settings)
    preflight.check_redis(settings)
    if settings.uses_builtin_simulator:
        log.warning(
            "this worker talks to its own built-in simulator, which knows nothing of purchases "
            "vended elsewhere; set PAYLINK_VTPASS_BASE_URL to share one (`paylink simulator`)"
        )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_worker(settings, clock))
    return 0


async def _serve_worker(settings: Settings, clock: Clock) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(create_worker_app(settings, clock=clock))
    await runner.setup()  # runs the cleanup contexts' start-up halves: the worker starts
    try:
        await stop.wait()
        log.info("stopping the worker (finishing purchases in flight)")
    finally:
        await runner.cleanup()
        forget_this_process()  # with PROMETHEUS_MULTIPROC_DIR: its live gauges go
