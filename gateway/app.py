"""The aiohttp application factory: middlewares, cleanup contexts in order, routes."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from functools import partial

import httpx
from aiohttp import web
from prometheus_client import CollectorRegistry

from gateway.api.middleware import cors_middleware, error_middleware, security_headers
from gateway.api.routes import api_ctx, setup_api_routes
from gateway.channels.ussd import setup_ussd_routes
from gateway.clock import Clock, SystemClock
from gateway.conversations.context import conversations_ctx
from gateway.health import setup_health_routes
from gateway.keys import clock_key, readiness_checks_key, registry_key, settings_key
from gateway.purchases.context import purchases_ctx
from gateway.settings import Settings
from gateway.store.db import db_ctx
from gateway.store.redis import redis_ctx
from gateway.vtpass.context import simulator_ctx, vtpass_ctx
from gateway.webhooks.vtpass import setup_vtpass_webhook_routes, vtpass_webhooks_ctx
from gateway.worker.context import worker_ctx

# Collector settings while the app runs (see `gc_ctx`): a young-generation pass every 10,000
# net allocations instead of 700. Measured on the USSD benchmark's menu journey: the collector
# took ~9% of the gateway's CPU (full passes over everything start-up built, ~60 ms each, and a
# young pass every ~25 hops); frozen and at this threshold, ~1% (0.28 -> 0.25 ms per hop).
GC_THRESHOLD = (10_000, 10, 10)


async def gc_ctx(_app: web.Application) -> AsyncIterator[None]:
    """Freeze what start-up built out of the collector's reach, and collect young objects less
    often; both undone at shutdown.

    Why: the modules, settings, routes and pools made at start-up live as long as the process,
    yet every full collection walked all of them again (~150,000 objects). `gc.freeze` moves
    them to a generation the collector never scans. A hop allocates many short-lived objects
    that reference counting frees at once; a larger young-generation threshold means fewer
    passes over the ones still in flight. Cyclic garbage is still collected, just in bigger,
    rarer batches (a young pass at 10,000 objects takes ~1.5 ms).
    """
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()  # an app in a longer-lived process (tests) leaves nothing frozen


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
    # Both act on /api only; CORS is outermost so error responses carry its headers too.
    app = web.Application(middlewares=[cors_middleware, error_middleware])
    app.on_response_prepare.append(security_headers)  # every route, errors and 404s too
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
            redis_ctx,
            partial(vtpass_ctx, transport=vtpass_transport),
            purchases_ctx,
            conversations_ctx,
            api_ctx,
            vtpass_webhooks_ctx,
            worker_ctx,  # last up, first down: stops before anything it uses closes
            gc_ctx,  # after start-up, so what it built is frozen
        ]
    )
    setup_health_routes(app)
    setup_api_routes(app)
    setup_vtpass_webhook_routes(app)
    setup_ussd_routes(app)
    return app
