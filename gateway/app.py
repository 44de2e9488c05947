"""The aiohttp application factory: middlewares, cleanup contexts in order, routes."""

from __future__ import annotations

from functools import partial

import httpx
from aiohttp import web
from prometheus_client import CollectorRegistry

from gateway.api.routes import api_ctx, setup_api_routes
from gateway.channels.registry import PROFILES, setup_channel_routes
from gateway.channels.telegram_notifier import telegram_notifier_ctx
from gateway.clock import Clock, SystemClock
from gateway.conversations.context import conversations_ctx
from gateway.edge import edge_middleware, response_headers
from gateway.embedded_paystack import paystack_simulator_ctx
from gateway.embedded_simulator import simulator_ctx
from gateway.health import setup_health_routes
from gateway.keys import clock_key, readiness_checks_key, registry_key, settings_key
from gateway.paystack.context import paystack_ctx, setup_paystack_routes
from gateway.purchases.context import purchases_ctx
from gateway.security.context import pins_ctx
from gateway.settings import Settings
from gateway.sms.context import sms_ctx
from gateway.sms.routes import setup_sms_routes
from gateway.store.db import db_ctx
from gateway.store.redis import redis_ctx
from gateway.vtpass.context import vtpass_ctx
from gateway.web.demo import setup_demo_routes
from gateway.web.serve import bundled_app, setup_web_routes
from gateway.webhooks.vtpass import setup_vtpass_webhook_routes, vtpass_webhooks_ctx
from gateway.worker.context import wakeup_ctx, worker_ctx


def create_app(
    settings: Settings,
    *,
    vtpass_transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
) -> web.Application:
    """Build the gateway. Keyword arguments are the test seams (no monkeypatching).

    Args:
        vtpass_transport: an httpx transport for the VTPass client, for faults the
            simulator cannot produce.
        clock: the clock for request ids, lockouts and TTLs.
    """
    web_files = bundled_app()
    # request ids, the API's CORS and errors, the web app's client-side routes: gateway.edge
    app = web.Application(middlewares=[edge_middleware(web_files)])
    app.on_response_prepare.append(response_headers)  # every route, errors and 404s too
    app[settings_key] = settings
    app[clock_key] = clock or SystemClock()
    app[registry_key] = CollectorRegistry()
    app[readiness_checks_key] = {}
    # Started in this order, closed in reverse: the simulator must be up before the client
    # that talks to it, and the database before anything that records money.
    app.cleanup_ctx.extend(
        [
            simulator_ctx,
            db_ctx,
            paystack_simulator_ctx,  # before paystack_ctx; told the accounts already made
            redis_ctx,
            pins_ctx,
            partial(vtpass_ctx, transport=vtpass_transport),
            wakeup_ctx,
            purchases_ctx,
            paystack_ctx,  # wallet funding (issue 19); before the channels show account numbers
            partial(conversations_ctx, channels=PROFILES),
            api_ctx,
            vtpass_webhooks_ctx,
            sms_ctx,  # registers the AT sender for the worker's "sms" lane
            telegram_notifier_ctx,  # registers the receipt sender for the "telegram" lane
            worker_ctx,  # last up, first down: stops before anything it uses closes
        ]
    )
    setup_health_routes(app)
    setup_api_routes(app)
    setup_vtpass_webhook_routes(app)
    setup_paystack_routes(app)
    setup_channel_routes(app)
    setup_sms_routes(app)
    setup_web_routes(app, web_files)  # the browser app at `/` (gateway/web/dist)
    setup_demo_routes(app)  # the phone page's SMS tab, embedded default only
    return app
