"""Web app fixtures: the gateway on the embedded default (SQLite in a temporary folder), as
`paylink serve` runs it for a newcomer, and the production shape (Postgres + Redis)."""

from __future__ import annotations

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from gateway.store.migrate import upgrade
from tests.api.conftest import clean_pg, clock, pg_settings, redis_prefix

__all__ = ["clean_pg", "clock", "redis_prefix"]


@pytest.fixture
async def embedded(aiohttp_client, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/paylink.db"
    upgrade(url)
    settings = Settings.from_env({"PAYLINK_DATABASE_URL": url})
    assert settings.embedded
    return await aiohttp_client(create_app(settings))


@pytest.fixture
async def production(aiohttp_client, clean_pg: str, redis_prefix: str, clock):
    return await aiohttp_client(create_app(pg_settings(clean_pg, redis_prefix), clock=clock))
