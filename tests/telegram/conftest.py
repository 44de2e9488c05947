"""Telegram end to end: the gateway with its real python-telegram-bot stack and the fake Bot API.

`gateway` is `create_app` on Postgres + Redis (chat state and `update_id`s shared the
production way) with a worker vending against the simulator and pushing receipts through the
app's `TelegramNotifier`; PTB talks to `fake_bot_api` (tests/fixtures/fake_bot_api.py), which
delivers updates to `/telegram/webhook` as Telegram would. `embedded` is the same on the
embedded default (SQLite, in-process state and worker). `chat(...)` is one Telegram user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Secret
from gateway.store.db import create_db_engine
from gateway.worker.keys import worker_config_key
from tests.fixtures.database import empty_tables
from tests.fixtures.fake_bot_api import TOKEN, FakeBotApi, User, fake_bot_api  # noqa: F401
from tests.telegram.chat import Chat
from tests.ussd.conftest import REDIS_URL, redis_prefix  # noqa: F401 - a fixture
from tests.worker.harness import FAST, CountingTransport, Harness, gateway_settings

WEBHOOK_SECRET = "tg-webhook-0123456789abcdef-XYZ"
JWT_SECRET = "telegram-test-secret-0123456789abcdefghijklmnopqrstuvwxyz"


def telegram_settings(api: FakeBotApi, **overrides: Any) -> dict[str, Any]:
    return {
        "telegram_bot_token": Secret(TOKEN),
        "telegram_webhook_secret": Secret(WEBHOOK_SECRET),
        "telegram_api_base_url": api.base_url,
        "jwt_secret": Secret(JWT_SECRET),
        "jwt_secret_generated": False,
        **overrides,
    }


async def _serve(
    aiohttp_server: Any, api: FakeBotApi, simulator: Any, clock: Any, db_url: str, **settings: Any
) -> tuple[Harness, httpx.AsyncClient]:
    transport = CountingTransport()
    app = create_app(
        gateway_settings(db_url, simulator, **telegram_settings(api, **settings)),
        vtpass_transport=transport,
        clock=clock,
    )
    app[worker_config_key] = FAST
    server = await aiohttp_server(app)
    base = str(server.make_url("")).rstrip("/")
    # what `paylink telegram set-webhook` would have told Telegram
    api.webhook = {"url": f"{base}/telegram/webhook", "secret_token": WEBHOOK_SECRET}
    control = httpx.AsyncClient(base_url=simulator.root_url, timeout=5)
    return Harness(app, base, simulator, transport, clock, control), control


@pytest.fixture
async def gateway(
    simulator,
    sim_clock,
    pg_url,
    pg_sessionmaker,
    aiohttp_server,
    redis_prefix,  # noqa: F811 - the fixture imported above
    fake_bot_api,  # noqa: F811 - the fixture imported above
) -> AsyncIterator[Harness]:
    made, control = await _serve(
        aiohttp_server,
        fake_bot_api,
        simulator,
        sim_clock,
        pg_url,
        redis_url=Secret(REDIS_URL),
        redis_prefix=redis_prefix,
    )
    vending = made.worker()
    vending.start()
    try:
        yield made
    finally:
        await vending.stop()
        await control.aclose()


@pytest.fixture
async def sqlite_emptied(sqlite_url: str) -> AsyncIterator[str]:
    engine = create_db_engine(sqlite_url)
    await empty_tables(engine)
    try:
        yield sqlite_url
    finally:
        await empty_tables(engine)
        await engine.dispose()


@pytest.fixture
async def embedded(
    simulator,
    sim_clock,
    sqlite_emptied,
    aiohttp_server,
    fake_bot_api,  # noqa: F811 - the fixture imported above
) -> AsyncIterator[Harness]:
    """The embedded default: SQLite, in-process state, the app's own worker."""
    made, control = await _serve(aiohttp_server, fake_bot_api, simulator, sim_clock, sqlite_emptied)
    try:
        yield made
    finally:
        await control.aclose()


@pytest.fixture
def chat(fake_bot_api: FakeBotApi) -> Callable[..., Chat]:  # noqa: F811 - the fixture above
    def make(user_id: int = 4242, name: str = "Ada") -> Chat:
        return Chat(fake_bot_api, User(user_id, name))

    return make
