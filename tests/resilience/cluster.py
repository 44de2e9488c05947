"""A PayLink deployment in miniature, as real processes, for one resilience scenario.

`paylink simulator` (latency and faults steered through its control API), two `paylink serve`
gateways and two `paylink worker` processes, all on this test's own Postgres database and its
own `redis-server`; the fake Africa's Talking API (tests/fixtures/fake_at.py) and, with
`telegram=True`, the fake Bot API (tests/fixtures/fake_bot_api.py) are served in the test's event
loop, so a scenario can make them fail (or take them away) and see every message they took. The
children connect to Postgres as `application_name` `app_name`, so a scenario can terminate their
sessions and no one else's.

Time: the children run on the real date; this process may be time-travelled
(tests/fixtures/fake_today.py), so whatever the test writes itself is stamped with Postgres's
`now()` through a `FixedClock`, never with this process's wall clock.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import FixedClock
from gateway.purchases.service import PurchaseService
from gateway.security.pins import PinPepper, PinService
from gateway.settings import Settings
from gateway.store.db import create_db_engine, create_sessionmaker
from tests.fixtures.database import temporary_pg_database
from tests.fixtures.fake_at import API_KEY, SENDER_ID, USERNAME, FakeAt
from tests.fixtures.fake_bot_api import TOKEN as BOT_TOKEN
from tests.fixtures.fake_bot_api import FakeBotApi
from tests.resilience.processes import (
    Child,
    PrivateRedis,
    child_env,
    free_port,
    stop_all,
    wait_until,
)

START_TIMEOUT_S = 45.0  # five Python processes importing the gateway on a busy 2-core box
WEBHOOK_SECRET = "resilience-webhook-0123456789abcdef"
SIM_PENDING_RESOLVE_S = "1"  # a purchase pending at VTPass is final there a second later


@dataclass
class Cluster:
    logs: Path
    db_url: str  # this test's own connections; the children's name `app_name` in theirs
    db: async_sessionmaker[AsyncSession]
    redis: PrivateRedis
    fake_at: FakeAt
    env: dict[str, str]
    sim_url: str  # the simulator's root: `api/` is VTPass, `__sim/` its control API
    app_name: str  # the children's `application_name` in Postgres, and no one else's
    gateways: list[Child] = field(default_factory=list)
    gateway_urls: list[str] = field(default_factory=list)
    workers: list[Child] = field(default_factory=list)
    control: httpx.AsyncClient = field(init=False)
    at_server: Served | None = None  # the fake AT's server, to take down and bring back
    bot_api: FakeBotApi | None = None  # the fake Telegram Bot API, with `telegram=True`
    bot_server: Served | None = None

    def __post_init__(self) -> None:
        self.control = httpx.AsyncClient(base_url=self.sim_url, timeout=10)

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.env)

    async def clock(self) -> FixedClock:
        """The real date and time, as Postgres (and so every child) sees it."""
        async with self.db() as session:
            return FixedClock(await session.scalar(select(func.now())))

    async def customer(self, phone: str, naira: int, pin: str) -> int:
        """A funded user with a PIN, written as the operator's CLI would."""
        clock = await self.clock()
        shop = PurchaseService(self.db, clock, worker_id="test-seed")
        user_id = (await shop.credit_wallet(phone, naira * 100, f"seed-{phone}")).user_id
        pins = PinService(self.db, clock, PinPepper.from_settings(self.settings), concurrency=1)
        await pins.set(user_id, pin)
        return user_id

    async def sim(self, path: str, body: dict[str, Any]) -> None:
        answer = await self.control.post(f"__sim/{path}", json=body)
        assert answer.is_success, (path, answer.text)

    async def readyz(self, gateway: int) -> int:
        async with httpx.AsyncClient(timeout=5) as http:
            try:
                return (await http.get(f"{self.gateway_urls[gateway]}/readyz")).status_code
            except httpx.TransportError:
                return 0

    async def terminate_backends(self) -> int:
        """`pg_terminate_backend` on every connection the children hold (only theirs: the
        server is shared); how many there were."""
        async with self.db() as session:
            killed = await session.scalars(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                ),
                {"name": self.app_name},
            )
            return sum(1 for ok in killed if ok)

    async def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        for index in range(len(self.gateways)):

            async def ready(i: int = index) -> bool:
                return await self.readyz(i) == 200

            await wait_until(ready, timeout, f"gateway {index} to be ready", self.logs)


def _simulator_env() -> dict[str, str]:
    return child_env(
        {
            "PAYLINK_SIM_PENDING_RESOLVE_AFTER_S": SIM_PENDING_RESOLVE_S,
            "PAYLINK_SIM_RANDOM_SEED": "18005",
        }
    )


def _gateway_env(db_url: str, redis_url: str, sim_url: str, at_url: str) -> dict[str, str]:
    return child_env(
        {
            "PAYLINK_DATABASE_URL": db_url,
            "PAYLINK_REDIS_URL": redis_url,
            "PAYLINK_VTPASS_BASE_URL": f"{sim_url}api/",
            "PAYLINK_JWT_SECRET": secrets.token_urlsafe(48),
            "PAYLINK_AT_CALLBACK_OPEN": "true",
            "PAYLINK_LOG_LEVEL": "INFO",
            "AT_USERNAME": USERNAME,
            "AT_API_KEY": API_KEY,
            "AT_SENDER_ID": SENDER_ID,
            "AT_API_BASE_URL": at_url,
        }
    )


class Served:
    """An aiohttp app of this test's on a fixed loopback port, that a scenario can take away
    (connection refused) and bring back on the same port."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port = free_port()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


@asynccontextmanager
async def running_cluster(
    logs: Path, *, gateways: int = 2, workers: int = 2, telegram: bool = False
) -> AsyncIterator[Cluster]:
    """Everything started and ready; on the way out every child is stopped (TERM, then KILL),
    the private Redis killed and the database dropped."""
    async with AsyncExitStack() as stack:
        db_url = stack.enter_context(temporary_pg_database())
        engine = create_db_engine(db_url)
        stack.push_async_callback(engine.dispose)
        redis = PrivateRedis(logs)
        stack.callback(redis.kill)
        await redis.start()
        fake_at = FakeAt()
        at_server = Served(fake_at.app())
        fake_at.base_url = at_server.url
        await at_server.start()
        stack.push_async_callback(at_server.stop)
        bot_api = bot_server = None
        if telegram:
            bot_api = FakeBotApi()
            bot_server = Served(bot_api.app)
            bot_api.root = bot_server.url
            await bot_server.start()
            stack.push_async_callback(bot_server.stop)
            stack.push_async_callback(bot_api.close)

        sim_port = free_port()
        simulator = Child(
            "simulator", ("simulator", "--port", str(sim_port)), _simulator_env(), logs
        )
        children = [simulator.start()]
        stack.push_async_callback(asyncio.to_thread, stop_all, children)
        sim_url = f"http://127.0.0.1:{sim_port}/"
        app_name = f"paylink-resilience-{secrets.token_hex(4)}"
        child_db_url = f"{db_url}?application_name={app_name}"
        env = _gateway_env(child_db_url, redis.url, sim_url, fake_at.base_url)
        if bot_api is not None:
            env |= {
                "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
                "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "TELEGRAM_API_BASE_URL": bot_api.base_url,
            }
        cluster = Cluster(
            logs, db_url, create_sessionmaker(engine), redis, fake_at, env, sim_url, app_name
        )
        cluster.at_server, cluster.bot_api, cluster.bot_server = at_server, bot_api, bot_server
        stack.push_async_callback(cluster.control.aclose)
        for index in range(gateways):
            port = free_port()
            child = Child(f"gateway-{index}", ("serve", "--port", str(port)), env, logs)
            cluster.gateways.append(child.start())
            children.append(child)
            cluster.gateway_urls.append(f"http://127.0.0.1:{port}")
        for index in range(workers):
            child = Child(f"worker-{index}", ("worker",), env, logs)
            cluster.workers.append(child.start())
            children.append(child)

        async def simulator_answers() -> bool:
            try:
                return (await cluster.control.get("__sim/clock")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_until(simulator_answers, START_TIMEOUT_S, "the simulator", logs)
        await cluster.wait_ready()
        if bot_api is not None:  # what `paylink telegram set-webhook` would have told Telegram
            url = f"{cluster.gateway_urls[0]}/telegram/webhook"
            bot_api.webhook = {"url": url, "secret_token": WEBHOOK_SECRET}
        yield cluster
