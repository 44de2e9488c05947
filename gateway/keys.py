"""Every typed `web.AppKey` of the application, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.api.auth import Authenticator
from gateway.clock import Clock
from gateway.conversations.config import ConversationConfig
from gateway.conversations.coordinator import Coordinator
from gateway.purchases.service import PurchaseService
from gateway.settings import Settings
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.simulator import RunningSimulator
from gateway.webhooks.settler import WebhookSettler
from gateway.worker.runner import Worker, WorkerConfig
from gateway.worker.wakeup import WakeUp

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
purchase_service_key = web.AppKey("purchase_service", PurchaseService)
wakeup_key = web.AppKey[WakeUp]("worker_wakeup")
worker_config_key = web.AppKey("worker_config", WorkerConfig)  # optional: tests tune the worker
worker_key = web.AppKey("worker", Worker)
vtpass_webhooks_key = web.AppKey("vtpass_webhooks", WebhookSettler)
api_auth_key = web.AppKey("api_auth", Authenticator)  # JWTs and their token store
ussd_key = web.AppKey("ussd_coordinator", Coordinator)
# optional: tests shorten session TTLs and the resume window
conversations_config_key = web.AppKey("conversations_config", ConversationConfig)
