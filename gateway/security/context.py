"""`pins_ctx`: the app's one `PinService`, holding the pepper, for every channel and the API."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.keys import clock_key, db_key, engine_key, settings_key
from gateway.security.keys import pin_service_key
from gateway.security.pins import PinPepper, PinService

DEFAULT_POOL_SIZE = 5  # SQLAlchemy's, for an engine whose pool does not say


def pool_size(engine: AsyncEngine) -> int:
    """The connections `engine` keeps open (its pool may open more, then closes them)."""
    size = getattr(engine.pool, "size", None)
    return int(size()) if callable(size) else DEFAULT_POOL_SIZE


async def pins_ctx(app: web.Application) -> AsyncIterator[None]:
    """Started after the database: PIN checks take at most half the pool's connections."""
    app[pin_service_key] = PinService(
        app[db_key],
        app[clock_key],
        PinPepper.from_settings(app[settings_key]),
        concurrency=pool_size(app[engine_key]) // 2,
    )
    yield
