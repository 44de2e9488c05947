"""Running the Paystack simulator inside the gateway: wiring for `create_app` only.

On the embedded default (no `PAYSTACK_SECRET_KEY`, no `PAYSTACK_BASE_URL`) the simulator
serves on a loopback port with the published demo key, so a newcomer can fund a wallet by its
checkout page or a simulated transfer. The simulator is a separate program: nothing else in the
gateway imports it (the import-linter contract in pyproject.toml says so).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from gateway.funding_settings import DEMO_SECRET_KEY
from gateway.keys import clock_key, db_key, settings_key
from gateway.paystack import store
from gateway.paystack.keys import paystack_base_url_key
from gateway.paystack.simulator import (
    PaystackSimConfig,
    RunningPaystackSimulator,
    start_paystack_simulator,
)

log = logging.getLogger(__name__)

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
        await _remember_accounts(app, running)
        app[paystack_simulator_key] = running
        app[paystack_base_url_key] = running.base_url
        # the README's walk-through sends a simulated bank transfer here
        log.info(
            "Paystack simulator (built in) on %s: POST %s/__sim/transfers "
            '{"account_number", "amount"} sends a bank transfer to a wallet\'s account',
            running.base_url,
            running.base_url.rstrip("/"),
        )
        yield


async def _remember_accounts(app: web.Application, running: RunningPaystackSimulator) -> None:
    """The account numbers customers were shown before a restart keep taking transfers."""
    try:
        async with app[db_key]() as session:
            known = await store.active_accounts(session)
    except SQLAlchemyError as exc:  # not migrated yet: readiness says so, start anyway
        log.warning(
            "Paystack simulator: accounts already made not restored (%s)", type(exc).__name__
        )
        return
    for account in known:
        if account.customer_code and account.account_number:
            running.state.restore_account(
                DEMO_SECRET_KEY,
                customer_code=account.customer_code,
                number=account.account_number,
                name=account.account_name or "",
                provider=account.provider,
            )
