"""`conversations_ctx`: the USSD coordinator and everything it runs on, for the app's lifetime.

Started after the database, Redis, the VTPass client and the purchase service (it uses them
all). Sessions go to Redis when `PAYLINK_REDIS_URL` is set, else to an in-process store (the
embedded default: one process, so memory is shared state enough).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

from aiohttp import web

from gateway.conversations.catalog_provider import CatalogProvider
from gateway.conversations.config import ConversationConfig, derive_key
from gateway.conversations.coordinator import Coordinator
from gateway.conversations.effects import EffectRunner
from gateway.conversations.lines import Lines
from gateway.conversations.pin_staging import PinStaging
from gateway.conversations.services import GatewayServices
from gateway.conversations.sessions import MemorySessionStore, RedisSessionStore, SessionStore
from gateway.keys import (
    clock_key,
    conversations_config_key,
    db_key,
    engine_key,
    purchase_service_key,
    redis_key,
    settings_key,
    ussd_key,
    vtpass_key,
)
from gateway.security.pins import PinPepper, install_pepper


def create_store(app: web.Application, config: ConversationConfig) -> SessionStore:
    redis = app.get(redis_key)
    if redis is None:
        return MemorySessionStore(config.session_ttl_s)
    return RedisSessionStore(redis, app[settings_key].redis_prefix, config.session_ttl_s)


async def conversations_ctx(app: web.Application) -> AsyncIterator[None]:
    """Wire the USSD coordinator; warm the menu catalogue in the background."""
    settings = app[settings_key]
    config = app.get(conversations_config_key) or ConversationConfig()
    config = dataclasses.replace(
        config, sandbox_numbers=settings.sandbox_numbers, funding_hint=settings.funding_hint
    )
    clock = app[clock_key]
    store = create_store(app, config)
    # Every channel and the REST API check PINs through `gateway.security.pins`.
    install_pepper(PinPepper.from_settings(settings))
    vtpass = app[vtpass_key]
    catalog = CatalogProvider(
        vtpass.catalogue,
        max(settings.vtpass_catalogue_ttl_s, config.catalogue_min_ttl_s),
        rules=app[purchase_service_key].pricing_rules,  # confirm screens show the fee charged
    )
    services = GatewayServices(
        app[engine_key], app[db_key], app[purchase_service_key], vtpass, clock, "ussd"
    )
    staging = PinStaging(
        store, derive_key(settings.jwt_secret, "pin-staging"), config.pin_staging_ttl_s
    )
    lines = Lines(
        store,
        derive_key(settings.jwt_secret, "phone-line"),
        clock,
        window_s=config.resume_window_s,
        ttl_s=config.line_ttl_s,
    )
    app[ussd_key] = Coordinator(
        store,
        services,
        catalog,
        EffectRunner(services, staging, lines, clock),
        lines,
        clock,
        derive_key(settings.jwt_secret, "ussd-hop"),
        reply_budget_s=settings.ussd_reply_budget_s,
        config=config,
        channel="ussd",
    )
    catalog.warm()
    try:
        yield
    finally:
        await catalog.aclose()
        await store.drain()  # before `redis_ctx` closes the client under it
