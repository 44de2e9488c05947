"""The infrastructure `web.AppKey`s: settings, clock, database, Redis, metrics, readiness.

A leaf: it imports only leaf modules and third-party types, so `gateway.store.db` (or any
other low layer) can use these keys without loading the application. The keys of higher
components live next to them: `gateway.vtpass.keys`, `gateway.security.keys`,
`gateway.purchases.keys`, `gateway.worker.keys`, `gateway.webhooks.keys`, `gateway.api.keys`,
`gateway.conversations.keys`, and `gateway.embedded_simulator.simulator_key`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.settings import Settings

settings_key = web.AppKey("settings", Settings)
clock_key = web.AppKey("clock", Clock)
engine_key = web.AppKey("engine", AsyncEngine)
db_key = web.AppKey("db", async_sessionmaker[AsyncSession])

# A readiness probe answers (ok, detail); each cleanup context registers one for what it owns.
ReadinessCheck = Callable[[web.Application], Awaitable[tuple[bool, str]]]
readiness_checks_key = web.AppKey[dict[str, ReadinessCheck]]("readiness_checks")
registry_key = web.AppKey("metrics_registry", CollectorRegistry)
redis_key = web.AppKey("redis", Redis)
