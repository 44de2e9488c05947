"""The simulator's app, and running it on a real socket: in-process or standalone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from gateway.paystack.simulator.api_routes import add_api_routes, paystack_gate
from gateway.paystack.simulator.checkout import add_checkout_routes
from gateway.paystack.simulator.config import PaystackSimConfig
from gateway.paystack.simulator.control_routes import add_control_routes, control_errors
from gateway.paystack.simulator.keys import state_key
from gateway.paystack.simulator.state import PaystackState

logger = logging.getLogger(__name__)


async def _session_ctx(app: web.Application) -> AsyncIterator[None]:
    """Own the webhook HTTP session; stop every delivery on cleanup."""
    state = app[state_key]
    async with aiohttp.ClientSession() as session:
        state.webhooks.bind(session)
        yield
        await state.webhooks.close()
        state.webhooks.bind(None)


def create_paystack_simulator_app(config: PaystackSimConfig) -> web.Application:
    """Paystack's paths at the root, the checkout page, and `/__sim/` for tests."""
    app = web.Application(middlewares=[control_errors, paystack_gate])
    app[state_key] = PaystackState(config)
    app.cleanup_ctx.append(_session_ctx)
    add_api_routes(app.router)
    add_checkout_routes(app.router)
    add_control_routes(app.router)
    return app


@dataclass(frozen=True, slots=True)
class RunningPaystackSimulator:
    """A started simulator: its URL is both the API base and the control API's root."""

    base_url: str  # "http://127.0.0.1:PORT"
    state: PaystackState


@asynccontextmanager
async def start_paystack_simulator(
    config: PaystackSimConfig, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[RunningPaystackSimulator]:
    """Serve until the block exits; port 0 picks a free port."""
    app = create_paystack_simulator_app(config)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        shown = f"[{host}]" if ":" in host else host
        yield RunningPaystackSimulator(f"http://{shown}:{bound}", app[state_key])
    finally:
        await runner.cleanup()


async def run_paystack_simulator(
    config: PaystackSimConfig, host: str = "127.0.0.1", port: int = 8091
) -> None:
    """Serve until cancelled (`paylink paystack-simulator --port 8091`)."""
    async with start_paystack_simulator(config, host, port) as running:
        logger.info(
            "Paystack simulator serving %s (webhooks to %s; control API: %s/__sim/)",
            running.base_url,
            config.webhook_url or "nowhere",
            running.base_url,
        )
        await asyncio.Event().wait()
