"""The VTPass client's cleanup context; the embedded simulator's is `gateway.embedded_simulator`."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
from aiohttp import web

from gateway.keys import clock_key, readiness_checks_key, settings_key
from gateway.settings import Secret, Settings, VTPassMode
from gateway.vtpass.breaker import BreakerState
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.demo import DEMO_API_KEY, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY
from gateway.vtpass.keys import vtpass_base_url_key, vtpass_key


def client_settings(settings: Settings) -> Settings:
    """Settings whose VTPass keys a client can use: in `simulator` mode (built-in or a separate
    `paylink simulator`), the simulator's demo keys unless all three keys are configured, so no
    keys are needed to try it."""
    if settings.vtpass_mode is not VTPassMode.SIMULATOR:
        return settings
    keys = (settings.vtpass_api_key, settings.vtpass_public_key, settings.vtpass_secret_key)
    if all(key is not None for key in keys):
        return settings
    return dataclasses.replace(
        settings,
        vtpass_api_key=Secret(DEMO_API_KEY),
        vtpass_public_key=Secret(DEMO_PUBLIC_KEY),
        vtpass_secret_key=Secret(DEMO_SECRET_KEY),
    )


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
