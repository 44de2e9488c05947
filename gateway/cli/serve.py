"""`paylink serve`, `paylink migrate` and `paylink simulator`: the long-running processes.

`paylink serve` runs on uvloop when it is installed (`pip install 'paylink-gateway[uvloop]'`;
the gain is in `bench/RESULTS.md`). Its shutdown (SIGTERM or SIGINT) goes in four steps, so a
balancer in front loses no request and no purchase is left half-done:

1. `/readyz` answers 503 at once (`gateway.health.mark_stopping`), while every route still
   serves for `PAYLINK_SHUTDOWN_DELAY` seconds: the balancer's probes notice and stop sending.
   A second signal ends this wait early.
2. The listener closes; requests in flight (a USSD hop, a REST purchase) get up to
   `PAYLINK_SHUTDOWN_TIMEOUT` seconds to answer.
3. The cleanup contexts close in reverse: an in-process worker stops claiming, finishes the
   vends it holds (its own grace) and releases the rest; submits still being group-committed
   are written; only then do Redis and the database close.
4. The process exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from typing import Any

from aiohttp import web

from gateway.cli import preflight
from gateway.cli.collector import tune_collector_after_start_up
from gateway.cli.paystack import with_local_paystack
from gateway.clock import Clock
from gateway.health import mark_stopping
from gateway.settings import Settings, mask_url

log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the HTTP gateway (and, embedded, the worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(handler=run_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(handler=run_migrate)

    simulator = commands.add_parser("simulator", help="run the VTPass sandbox simulator alone")
    simulator.add_argument("--host", default="127.0.0.1")
    simulator.add_argument("--port", type=int, default=8090)
    simulator.set_defaults(handler=run_simulator)


def run_serve(
    settings: Settings,
    args: argparse.Namespace,
    clock: Clock,
    *,
    configure: Callable[[web.Application], None] | None = None,
) -> int:
    """Serve until stopped; `configure` adjusts the app first (`paylink telegram poll`)."""
    from gateway.app import create_app
    from gateway.store.migrate import upgrade

    # the port is taken here and kept, so it is known to be ours before "serving on"
    sock = preflight.bind(args.host, args.port)
    try:
        if settings.embedded:
            # The embedded default must work in one command, so it migrates its own SQLite file.
            upgrade(settings.database_url.value)
        preflight.check_database(settings)
        preflight.check_redis(settings)
    except BaseException:
        sock.close()
        raise
    log.info(
        "serving on http://%s:%s (database %s, vtpass %s, event loop %s)",
        args.host,
        args.port,
        mask_url(settings.database_url.value),
        settings.vtpass_mode,
        "uvloop" if event_loop_factory() is not None else "asyncio",
    )
    settings = with_local_paystack(settings, args.host, args.port)
    app = tune_collector_after_start_up(create_app(settings, clock=clock))
    if configure is not None:
        configure(app)
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(serve_until_stopped(app, sock, settings))
    return 0


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when the optional extra is installed, else None (asyncio's own)."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


async def serve_until_stopped(
    app: web.Application, sock: socket.socket, settings: Settings
) -> None:
    """Serve on `sock` until SIGTERM/SIGINT, then stop in the module's four steps."""
    signalled = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, signalled.set)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=settings.shutdown_timeout_s)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        await signalled.wait()
        signalled.clear()
        mark_stopping(app)
        delay = settings.drain_delay_s
        log.info("stopping: /readyz answers 503; serving %gs more, then draining", delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signalled.wait(), delay)
    finally:
        log.info("closing the listener; draining requests, then vends, in flight")
        await runner.cleanup()  # closes the listener, drains requests, then the contexts
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    log.info("stopped")


def run_migrate(settings: Settings, args: argparse.Namespace, _clock: Clock) -> int:
    from gateway.store.migrate import upgrade

    upgrade(settings.database_url.value, args.revision)
    log.info("database %s is at %s", mask_url(settings.database_url.value), args.revision)
    return 0


def run_simulator(_settings: Settings, args: argparse.Namespace, _clock: Clock) -> int:
    from gateway.vtpass.simulator import SimulatorConfig
    from gateway.vtpass.simulator import run_simulator as serve_simulator

    config = SimulatorConfig.from_env(os.environ)
    log.info("VTPass simulator on http://%s:%s/api/", args.host, args.port)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_simulator(config, host=args.host, port=args.port))
    return 0
