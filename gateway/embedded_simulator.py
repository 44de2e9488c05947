"""Running the VTPass simulator inside the gateway: wiring for `create_app` and the CLI only.

The simulator (`gateway.vtpass.simulator`) is a separate program; nothing else in the
gateway imports it (the import-linter contract in pyproject.toml says so).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

from aiohttp import web

from gateway.keys import settings_key
from gateway.settings import Settings
from gateway.vtpass.keys import vtpass_base_url_key
from gateway.vtpass.simulator import (
    DEMO_ACCOUNT,
    RunningSimulator,
    SimAccount,
    SimulatorConfig,
    start_simulator,
)

simulator_key = web.AppKey("simulator", RunningSimulator)


def simulator_account(settings: Settings) -> SimAccount:
    """The simulator's account: the configured VTPass keys when all are set, else demo keys."""
    keys = (settings.vtpass_api_key, settings.vtpass_public_key, settings.vtpass_secret_key)
    if any(key is None for key in keys):
        return DEMO_ACCOUNT
    api_key, public_key, secret_key = (key.value for key in keys if key is not None)
    return dataclasses.replace(
        DEMO_ACCOUNT, api_key=api_key, public_key=public_key, secret_key=secret_key
    )


async def simulator_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the VTPass simulator in-process when no VTPass URL is configured."""
    settings = app[settings_key]
    if settings.vtpass_base_url is not None:
        app[vtpass_base_url_key] = settings.vtpass_base_url
        yield
        return
    config = SimulatorConfig(accounts=(simulator_account(settings),))
    async with start_simulator(config) as running:
        app[simulator_key] = running
        app[vtpass_base_url_key] = running.base_url
        yield
