"""Cleanup contexts for VTPass: the in-process simulator (embedded default) and the client."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
from aiohttp import web

from gateway.keys import (
    clock_key,
    readiness_checks_key,
    settings_key,
    simulator_key,
    vtpass_base_url_key,
    vtpass_key,
)
from gateway.settings import Secret, Settings, VTPassMode
from gateway.vtpass.breaker import BreakerState
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.simulator import DEMO_ACCOUNT, SimAccount, SimulatorConfig, start_simulator


def simulator_account(settings: Settings) -> SimAccount:
    """The simulator's account: the configured VTPass keys when all are set, else demo keys."""
    keys = (settings.vtpass_api_key, settings.vtpass_public_key, settings.vtpass_secret_key)
    if any(key is None for key in keys):
        return DEMO_ACCOUNT
    api_key, public_key, secret_key = (key.value for key in keys if key is not None)
    return dataclasses.replace(
        DEMO_ACCOUNT, api_key=api_key, public_key=public_key, secret_key=secret_key
    )


def client_settings(settings: Settings) -> Settings:
    """Settings whose VTPass keys a client can use: in `simulator` mode (built-in or a separate
    `paylink simulator`), the simulator's account keys, so no keys are needed to try it."""
    if settings.vtpass_mode is not VTPassMode.SIMULATOR:
        return settings
    account = simulator_account(settings)
    return dataclasses.replace(
        settings,
        vtpass_api_key=Secret(account.api_key),
        vtpass_public_key=Secret(account.public_key),
        vtpass_secret_key=Secret(account.secret_key),
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


async def vtpass_ctx(
    app: web.Application, *, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[None]:
    """The VTPass client for the app's lifetime; its breaker state feeds `/readyz`."""
    settings = client_settings(app[settings_key])
    client = VTPassClient.from_settings(
        settings, base_url=app[vtpass_base_url_key], transport=transport, clock=app[clock_key]
    )
    app[vtpass_key] = client
    app[readiness_checks_key]["vtpass"] = _breaker_closed
    try:
        yield
    finally:
        await client.aclose()


async def _breaker_closed(app: web.Application) -> tuple[bool, str]:
    state = app[vtpass_key].breaker.state
    return state is not BreakerState.OPEN, f"circuit breaker {state}"
