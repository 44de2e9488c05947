"""Every typed `web.AppKey` of the application, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.settings import Settings
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.simulator import RunningSimulator

settings_key = web.AppKey("settings", Settings)
clock_key = web.AppKey("clock", Clock)
engine_key = web.AppKey("engine", AsyncEngine)
db_key = web.AppKey("db", async_sessionmaker[AsyncSession])

# A readiness probe answers (ok, detail); each cleanup context registers one for what it owns.
ReadinessCheck = Callable[[web.Application], Awaitable[tuple[bool, str]]]
readiness_checks_key = web.AppKey[dict[str, ReadinessCheck]]("readiness_checks")
registry_key = web.AppKey("metrics_registry", CollectorRegistry)
redis_key = web.AppKey("redis", Redis)
vtpass_key = web.AppKey("vtpass", VTPassClient)
vtpass_base_url_key = web.AppKey("vtpass_base_url", str)
simulator_key = web.AppKey("simulator", RunningSimulator)
