"""Wiring wallet funding into the app: its cleanup context and the webhook route.

`paystack_ctx` comes after the database and Redis (and after `paystack_simulator_ctx`, which
sets the base URL when the simulator runs in-process). The sweep runs where the worker runs:
in `paylink serve` on the embedded default or with `PAYLINK_RUN_WORKER`, and in every
`paylink worker` process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from aiohttp import web

from gateway.client_address import client_ip
from gateway.keys import clock_key, db_key, redis_key, settings_key
from gateway.paystack.accounts import DedicatedAccounts
from gateway.paystack.client import PaystackClient
from gateway.paystack.crediting import Crediting
from gateway.paystack.fundings import Fundings
from gateway.paystack.keys import (
    dedicated_accounts_key,
    fundings_key,
    paystack_base_url_key,
    paystack_client_key,
    paystack_sweep_key,
    paystack_webhooks_key,
)
from gateway.paystack.rate_limit import WindowLimit
from gateway.paystack.signature import HEADER
from gateway.paystack.sweep import FundingSweep
from gateway.paystack.webhook import MAX_BODY, ROUTE, WebhookProcessor
from gateway.settings import Secret, Settings


def runs_sweep(settings: Settings) -> bool:
    """Like the worker: in-process on the embedded default or when `run_worker` says so."""
    explicit = getattr(settings, "run_worker", None)
    return settings.embedded if explicit is None else bool(explicit)


async def paystack_ctx(
    app: web.Application,
    *,
    sweep: bool | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[None]:
    """The Paystack client, the funding services, the webhook processor and the sweep."""
    settings, clock, db = app[settings_key], app[clock_key], app[db_key]
    funding = settings.funding
    client = PaystackClient.from_settings(
        funding, base_url=app.get(paystack_base_url_key), transport=transport
    )
    crediting = Crediting(db, client, clock, funding)
    accounts = DedicatedAccounts(db, client, clock, funding)
    limit = WindowLimit(
        funding.webhook_limit, clock, redis=app.get(redis_key), prefix=settings.redis_prefix
    )
    processor = WebhookProcessor(db, crediting, clock, Secret(funding.key_value()), limit)
    app[paystack_client_key] = client
    app[fundings_key] = Fundings(db, client, clock, funding, crediting)
    app[dedicated_accounts_key] = accounts
    app[paystack_webhooks_key] = processor
    sweeper = FundingSweep(db, client, clock, funding, crediting, accounts)
    app[paystack_sweep_key] = sweeper
    # with the built-in simulator only the process that runs it has a Paystack to sweep
    reachable = not funding.uses_builtin_simulator or paystack_base_url_key in app
    if reachable and (runs_sweep(settings) if sweep is None else sweep):
        sweeper.start()
    try:
        yield
    finally:
        await sweeper.stop()
        await processor.close()
        # batches its events started may still hold a database connection or a Redis one
        await crediting.drain()
        await limit.drain()
        await client.aclose()


async def paystack_webhook(request: web.Request) -> web.Response:
    """Paystack's events: see `gateway.paystack.webhook`."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return web.json_response({"error": "body too large"}, status=413)
    raw = await request.read()
    address = client_ip(request, request.app[settings_key].trusted_proxy_hops)
    processor = request.app[paystack_webhooks_key]
    return await processor.receive(address, raw, request.headers.get(HEADER))


def setup_paystack_routes(app: web.Application) -> None:
    app.router.add_post(ROUTE, paystack_webhook)
