"""USSD end to end: the whole gateway on Postgres + real Redis + the simulator + a worker.

`gateway` is `create_app` served on loopback (the `tests/worker` harness, with Redis sessions
under a unique key prefix per test and the conversation timings of `conversations_config`),
with a worker vending what the USSD purchases submit. `phone(number)` is a fake Africa's
Talking handset (tests/ussd/phone.py) dialling it over real HTTP.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import redis.asyncio as aioredis

from gateway.app import create_app
from gateway.conversations.config import ConversationConfig
from gateway.conversations.keys import conversations_config_key
from gateway.security.keys import pin_service_key
from gateway.settings import Secret
from gateway.worker.keys import worker_config_key
from tests.ussd.phone import Phone
from tests.worker.conftest import (  # noqa: F401 - the embedded default's fixtures
    gateway_overrides,
    harness,
    worker,
)
from tests.worker.harness import FAST, CountingTransport, Harness, N, gateway_settings

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
JWT_SECRET = "ussd-test-secret-0123456789abcdefghijklmnopqrstuvwxyz"
PIN = "2580"
BUYER = "08031234567"


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    prefix = f"paylink-test:{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        client = aioredis.Redis.from_url(REDIS_URL)
        try:
            keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def conversations_config() -> ConversationConfig:
    return ConversationConfig()


@pytest.fixture
async def gateway(
    simulator,
    sim_clock,
    pg_url,
    pg_sessionmaker,
    aiohttp_server,
    redis_prefix,
    conversations_config,
    gateway_overrides,  # noqa: F811 - the fixture imported above
) -> AsyncIterator[Harness]:
    settings = gateway_settings(
        pg_url,
        simulator,
        redis_url=Secret(REDIS_URL),
        redis_prefix=redis_prefix,
        jwt_secret=Secret(JWT_SECRET),
        jwt_secret_generated=False,
        **gateway_overrides,
    )
    transport = CountingTransport()
    app = create_app(settings, vtpass_transport=transport, clock=sim_clock)
    app[worker_config_key] = FAST
    app[conversations_config_key] = conversations_config
    server = await aiohttp_server(app)
    control = httpx.AsyncClient(base_url=simulator.root_url, timeout=5)
    made = Harness(
        app, str(server.make_url("")).rstrip("/"), simulator, transport, sim_clock, control
    )
    vending = made.worker()
    vending.start()
    try:
        yield made
    finally:
        await vending.stop()
        await control.aclose()


@pytest.fixture
async def client(gateway: Harness) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10) as made:
        yield made


@pytest.fixture
def phone(client: httpx.AsyncClient) -> Callable[..., Phone]:
    def make(number: str = BUYER, **kwargs: str) -> Phone:
        return Phone(client, number, **kwargs)

    return make


async def customer(
    gateway: Harness, number: str = BUYER, naira: int = 100_000, pin: str | None = PIN
) -> int:
    """A registered user with a funded wallet (and a PIN unless `pin` is None)."""
    user_id = (await gateway.service.credit_wallet(number, naira * N, f"seed-{number}")).user_id
    if pin is not None:
        await gateway.app[pin_service_key].set(user_id, pin)
    return user_id
