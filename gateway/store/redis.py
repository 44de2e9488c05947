"""The Redis connection: sessions, rate limits and token blacklists when configured.

Why its own timeouts and retries: every USSD hop makes a Redis call, and when Redis cannot
answer the hop should say so (a friendly `END`) quickly, well inside Africa's Talking's 15 s.
With redis-py's defaults a Redis that stops answering holds a command for 5 s (its socket
timeout), and a broken connection is retried up to 10 times with up to 1 s of backoff. Here
a command gives up after about 2 s (measured: a silent server fails a GET in 2.0 s, a refusing
one at once): a 1 s socket timeout and one retry, which is what a pooled connection that died
(Redis restarted, failed over) needs to be replaced. Healthy Redis answers in well under a
millisecond, so 1 s constrains no real command; a pub/sub listener (the worker's wake-ups)
blocks without it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from aiohttp import web
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

from gateway.keys import readiness_checks_key, redis_key, settings_key

SOCKET_TIMEOUT_S = 1.0
CONNECT_TIMEOUT_S = 1.0
RETRIES = 1
BACKOFF_BASE_S = 0.01
BACKOFF_CAP_S = 0.1


def connect(url: str) -> aioredis.Redis:
    """A client for `url` with the timeouts and retries above."""
    return aioredis.Redis.from_url(
        url,
        decode_responses=False,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        retry=Retry(ExponentialWithJitterBackoff(base=BACKOFF_BASE_S, cap=BACKOFF_CAP_S), RETRIES),
    )


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open Redis if `PAYLINK_REDIS_URL` is set; the embedded mode runs without it."""
    settings = app[settings_key]
    if settings.redis_url is None:
        yield
        return
    client = connect(settings.redis_url.value)
    app[redis_key] = client
    app[readiness_checks_key]["redis"] = _ping
    try:
        yield
    finally:
        await client.aclose()


async def _ping(app: web.Application) -> tuple[bool, str]:
    await app[redis_key].ping()
    return True, "ok"
