"""The compose file's processes, run directly: `paylink simulator`, `serve`, `worker`, `migrate`.

Each test gets its own Postgres database and Redis prefix (the shared servers), a simulator on a
free port and, when it asks, the fake Africa's Talking API in its own event loop. The children
are started and signalled by pid (tests.resilience.processes); whatever the test writes itself
is stamped with Postgres's `now()` through a `FixedClock`, never this process's wall clock.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import FixedClock
from gateway.purchases.service import PurchaseService
from gateway.security.pins import PinPepper, PinService
from gateway.settings import Settings
from tests.fixtures.fake_at import API_KEY, SENDER_ID, USERNAME, FakeAt
from tests.resilience.processes import Child, child_env, free_port, wait_until

START_TIMEOUT_S = 45.0  # several Python processes importing the gateway on a busy 2-core box


def gateway_env(
    db_url: str, sim_url: str, *, at_url: str | None = None, **extra: str
) -> dict[str, str]:
    """What docker-compose.yml gives every PayLink process, pointed at this test's services."""
    env = {
        "PAYLINK_DATABASE_URL": db_url,
        "PAYLINK_REDIS_URL": "redis://127.0.0.1:6379/0",
        "PAYLINK_REDIS_PREFIX": f"deploy-{secrets.token_hex(4)}:",
        "PAYLINK_VTPASS_BASE_URL": f"{sim_url}api/",
        "PAYLINK_JWT_SECRET": secrets.token_urlsafe(48),
        "PAYLINK_AT_CALLBACK_OPEN": "true",
        "PAYLINK_LOG_LEVEL": "INFO",
        **extra,
    }
    if at_url is not None:
        env |= {
            "AT_USERNAME": USERNAME,
            "AT_API_KEY": API_KEY,
            "AT_SENDER_ID": SENDER_ID,
            "AT_API_BASE_URL": at_url,
        }
    return child_env(env)


def migrate(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`paylink migrate`, the compose file's one-off service."""
    return subprocess.run(
        [sys.executable, "-m", "gateway", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass
class Simulator:
    child: Child
    url: str  # its root: `api/` is VTPass, `__sim/` its control API
    control: httpx.AsyncClient

    async def latency(self, seconds: float) -> None:
        response = await self.control.post("__sim/latency", json={"seconds": seconds})
        assert response.is_success, response.text

    async def pay_requests(self) -> dict[str, int]:
        answer: dict[str, int] = (await self.control.get("__sim/pay-requests")).json()[
            "pay_requests"
        ]
        return answer


@asynccontextmanager
async def simulator(logs: Path) -> AsyncIterator[Simulator]:
    port = free_port()
    child = Child("simulator", ("simulator", "--port", str(port)), child_env({}), logs).start()
    url = f"http://127.0.0.1:{port}/"
    control = httpx.AsyncClient(base_url=url, timeout=10)
    try:

        async def answers() -> bool:
            try:
                return (await control.get("__sim/clock")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_until(answers, START_TIMEOUT_S, "the simulator", logs)
        yield Simulator(child, url, control)
    finally:
        await control.aclose()
        child.stop()


@asynccontextmanager
async def fake_at() -> AsyncIterator[FakeAt]:
    """The fake AT SMS API, served in this event loop (the worker sends receipts to it)."""
    fake = FakeAt()
    port = free_port()
    fake.base_url = f"http://127.0.0.1:{port}"
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield fake
    finally:
        await runner.cleanup()


def serve(name: str, env: dict[str, str], logs: Path) -> tuple[Child, str]:
    port = free_port()
    child = Child(name, ("serve", "--port", str(port)), env, logs).start()
    return child, f"http://127.0.0.1:{port}"


async def wait_ready(url: str, logs: Path) -> None:
    async def ready() -> bool:
        try:
            async with httpx.AsyncClient(timeout=2) as http:
                return (await http.get(f"{url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    await wait_until(ready, START_TIMEOUT_S, f"{url} to be ready", logs)


async def customer(
    db: async_sessionmaker[AsyncSession], env: dict[str, str], phone: str, naira: int, pin: str
) -> int:
    """A funded user with a PIN, written as the operator's CLI would."""
    async with db() as session:
        clock = FixedClock(await session.scalar(select(func.now())))
    shop = PurchaseService(db, clock, worker_id="deploy-test")
    user_id = (await shop.credit_wallet(phone, naira * 100, f"seed-{phone}")).user_id
    pepper = PinPepper.from_settings(Settings.from_env(env))
    await PinService(db, clock, pepper, concurrency=1).set(user_id, pin)
    return user_id
