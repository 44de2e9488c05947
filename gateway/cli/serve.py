"""`paylink serve`, `paylink migrate` and `paylink simulator`: the long-running processes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

from aiohttp import web

from gateway.cli import preflight
from gateway.cli.collector import tune_collector_after_start_up
from gateway.cli.paystack import with_local_paystack
from gateway.clock import Clock
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
        "serving on http://%s:%s (database %s, vtpass %s)",
        args.host,
        args.port,
        mask_url(settings.database_url.value),
        settings.vtpass_mode,
    )
    settings = with_local_paystack(settings, args.host, args.port)
    app = tune_collector_after_start_up(create_app(settings, clock=clock))
    if configure is not None:
        configure(app)
    web.run_app(app, sock=sock, print=None)
    return 0


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
