"""The Redis connection: sessions, rate limits and token blacklists when configured."""

from __future__ import annotations

from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from aiohttp import web

from gateway.keys import readiness_checks_key, redis_key, settings_key


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open Redis if `PAYLINK_REDIS_URL` is set; the embedded mode runs without it."""
    settings = app[settings_key]
    if settings.redis_url is None:
        yield
        return
    client = aioredis.Redis.from_url(settings.redis_url.value, decode_responses=False)
    app[redis_key] = client
    app[readiness_checks_key]["redis"] = _ping
    try:
        yield
    finally:
        await client.aclose()


async def _ping(app: web.Application) -> tuple[bool, str]:
    await app[redis_key].ping()
    return True, "ok"
