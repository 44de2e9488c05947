"""`conversations_ctx`: a coordinator per registered channel and what they run on, for the app's
lifetime. Channels register by profile factory (`gateway/channels/__init__.py:CHANNELS`).

Started after the database, Redis, the VTPass client and the purchase service (it uses them
all). Sessions go to Redis when `PAYLINK_REDIS_URL` is set, else to an in-process store (the
embedded default: one process, so memory is shared state enough).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Sequence

from aiohttp import web

from gateway.conversations.catalogue_provider import CatalogueProvider
from gateway.conversations.config import ConversationConfig, derive_key
from gateway.conversations.contract import ChannelProfile
from gateway.conversations.coordinator import Coordinators, Parts, build
from gateway.conversations.effects import EffectRunner
from gateway.conversations.keys import conversations_config_key, coordinators_key
from gateway.conversations.lines import Lines
from gateway.conversations.pin_staging import PinStaging
from gateway.conversations.services import GatewayServices
from gateway.conversations.sessions import MemorySessionStore, RedisSessionStore, SessionStore
from gateway.funding import shared_hint
from gateway.keys import clock_key, db_key, engine_key, redis_key, settings_key
from gateway.paystack.keys import dedicated_accounts_key
from gateway.purchases.keys import purchase_service_key
from gateway.security.keys import pin_service_key
from gateway.settings import Settings
from gateway.store.chat_links import ChatDirectory
from gateway.store.link_cache import link_cache
from gateway.vtpass.keys import vtpass_key

ProfileFactory = Callable[[Settings], ChannelProfile]  # a channel's registration


def create_store(app: web.Application) -> SessionStore:
    redis = app.get(redis_key)
    if redis is None:
        return MemorySessionStore()
    return RedisSessionStore(redis, app[settings_key].redis_prefix)


async def conversations_ctx(
    app: web.Application, channels: Sequence[ProfileFactory] = ()
) -> AsyncIterator[None]:
    """Wire one coordinator per channel in `channels`; warm the menu catalogue meanwhile."""
    settings = app[settings_key]
    accounts = app.get(dedicated_accounts_key)  # account numbers: `paystack_ctx`, started first
    config = app.get(conversations_config_key) or ConversationConfig()
    config = dataclasses.replace(
        config,
        sandbox_numbers=settings.sandbox_numbers,
        funding_hint=shared_hint(settings.funding_hint, online=accounts is not None),
    )
    clock = app[clock_key]
    store = create_store(app)
    vtpass = app[vtpass_key]
    catalog = CatalogueProvider(
        vtpass.catalogue,
        max(settings.vtpass_catalogue_ttl_s, config.catalogue_min_ttl_s),
        rules=app[purchase_service_key].pricing_rules,  # confirm screens show the fee charged
    )
    services = GatewayServices(
        app[engine_key],
        app[db_key],
        app[purchase_service_key],
        vtpass,
        clock,
        pins=app[pin_service_key],  # every channel checks PINs through the app's one service
        accounts=accounts,
        fee_bearer=settings.funding.fee_bearer,
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
    effects = EffectRunner(services, staging, lines, clock)
    parts = Parts(
        store,
        services,
        catalog,
        effects,
        lines,
        clock,
        config,
        # chat users (Telegram) -> their linked phone
        directory=ChatDirectory(app[db_key], link_cache(app)),
    )
    coordinators = Coordinators()
    for factory in channels:
        profile = factory(settings)
        if config.session_ttl_s is not None:
            profile = dataclasses.replace(profile, session_ttl_s=config.session_ttl_s)
        key = derive_key(settings.jwt_secret, f"{profile.name}-hop")
        coordinators[profile.name] = build(profile, parts, key)
    app[coordinators_key] = coordinators
    catalog.warm()
    try:
        yield
    finally:
        await catalog.aclose()
        await effects.drain()  # accounts still being made write to the database
        await store.drain()  # before `redis_ctx` closes the client under it
