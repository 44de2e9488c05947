"""Running the Paystack simulator inside the gateway: wiring for `create_app` only.

On the embedded default (no `PAYSTACK_SECRET_KEY`, no `PAYSTACK_BASE_URL`) the simulator
serves on a loopback port with the published demo key, so a newcomer can fund a wallet by its
checkout page or a simulated transfer. The simulator is a separate program: nothing else in the
gateway imports it (the import-linter contract in pyproject.toml says so).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway.funding_settings import DEMO_SECRET_KEY
from gateway.keys import clock_key, settings_key
from gateway.paystack.keys import paystack_base_url_key
from gateway.paystack.simulator import (
    PaystackSimConfig,
    RunningPaystackSimulator,
    start_paystack_simulator,
)

paystack_simulator_key = web.AppKey("paystack_simulator", RunningPaystackSimulator)


async def paystack_simulator_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the simulator in-process when no Paystack account is configured."""
    funding = app[settings_key].funding
    if not funding.uses_builtin_simulator:
        yield
        return
    config = PaystackSimConfig(
        secret_keys=(DEMO_SECRET_KEY,),
        webhook_url=funding.simulator_webhook_url,
        clock=app[clock_key],
    )
    async with start_paystack_simulator(config) as running:
        app[paystack_simulator_key] = running
        app[paystack_base_url_key] = running.base_url
        yield
