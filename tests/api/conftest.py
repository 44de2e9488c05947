"""API fixtures: the real app on Postgres + Redis (a unique key prefix per test), a fixed clock.

`client` is an aiohttp test client over the whole gateway (`create_app`), with the VTPass
simulator in-process. Postgres is the session database of `tests/fixtures/database.py`, emptied
before and after each test; Redis keys under the test's prefix are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.app import create_app
from gateway.clock import FixedClock
from gateway.keys import db_key
from gateway.settings import Settings
from gateway.store.db import create_db_engine
from tests.fixtures.database import empty_tables

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
JWT_SECRET = "test-jwt-secret-0123456789abcdefghijklmnopqrstuvwxyz"


async def _empty(url: str) -> None:
    engine = create_db_engine(url)
    try:
        await empty_tables(engine)
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM otp_codes"))
    finally:
        await engine.dispose()


@pytest.fixture
async def clean_pg(pg_url: str) -> AsyncIterator[str]:
    await _empty(pg_url)
    try:
        yield pg_url
    finally:
        await _empty(pg_url)


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
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


def pg_settings(url: str, prefix: str, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "PAYLINK_DATABASE_URL": url,
            "PAYLINK_REDIS_URL": REDIS_URL,
            "PAYLINK_REDIS_PREFIX": prefix,
            "PAYLINK_JWT_SECRET": JWT_SECRET,
            "PAYLINK_CORS_ORIGINS": "https://app.paylink.ng",
            "PAYLINK_AT_CALLBACK_OPEN": "true",  # the USSD route is not what these tests attack
            **extra,
        }
    )


@pytest.fixture
def settings(clean_pg: str, redis_prefix: str) -> Settings:
    return pg_settings(clean_pg, redis_prefix)


@pytest.fixture
async def client(aiohttp_client, settings: Settings, clock: FixedClock):
    return await aiohttp_client(create_app(settings, clock=clock))


@pytest.fixture
def sessionmaker(client) -> async_sessionmaker[AsyncSession]:
    return client.app[db_key]
