"""`paylink catalogue sync`: fetch every category, service and variation from VTPass now.

Each gateway process caches the catalogue and its worker refreshes it on a timer; this command
does one full fetch and prints it, to check what VTPass offers (and that it answers).
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from gateway.cli.common import err, out, run, vtpass
from gateway.clock import Clock
from gateway.embedded_simulator import simulator_account
from gateway.settings import Secret, Settings
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.simulator import SimulatorConfig, start_simulator
from gateway.worker.catalogue import refresh_catalogue


def register(commands: Any) -> None:
    catalogue = commands.add_parser("catalogue", help="the VTPass catalogue")
    actions = catalogue.add_subparsers(dest="action", required=True, metavar="ACTION")
    sync = actions.add_parser("sync", help="fetch services and variations from VTPass now")
    sync.set_defaults(handler=run_sync)


def run_sync(settings: Settings, _args: argparse.Namespace, clock: Clock) -> int:
    return run(_sync(settings, clock))


@asynccontextmanager
async def _client(settings: Settings, clock: Clock) -> AsyncIterator[VTPassClient]:
    if not settings.uses_builtin_simulator:
        async with vtpass(settings, clock) as client:
            yield client
        return
    # the embedded default: the simulator's catalogue is the same in every process
    account = simulator_account(settings)
    config = SimulatorConfig(accounts=(account,), clock=clock)
    async with start_simulator(config) as simulator:
        client = VTPassClient(
            simulator.base_url,
            Secret(account.api_key),
            Secret(account.public_key),
            Secret(account.secret_key),
            clock=clock,
        )
        async with client:
            yield client


async def _sync(settings: Settings, clock: Clock) -> int:
    async with _client(settings, clock) as client:
        summary = await refresh_catalogue(client.catalogue)
    out(summary.render())
    if summary.failures:
        err(f"{len(summary.failures)} parts of the catalogue could not be fetched")
        return 1
    return 0
