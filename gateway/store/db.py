"""The async engine and session factory, and the aiohttp cleanup context that owns them.

Postgres goes through psycopg 3 with a bounded pool. SQLite (the embedded default) runs in WAL
mode with a busy timeout, and every transaction starts with `BEGIN IMMEDIATE`: writers then
queue for the lock at the start instead of failing with "database is locked" half-way, which
is what makes concurrent submits on one wallet serialise rather than error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from sqlalchemy import Connection, Engine, event, make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from gateway.keys import db_key, engine_key, readiness_checks_key, settings_key
from gateway.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
DEFAULT_APPLICATION_NAME = "paylink"
# Statements' parameters are OTP hashes, PIN hashes, electricity tokens and phone numbers: never
# in a log line or an exception's text, whatever the log level (gateway/logs.py quiets the rest).
_QUIET = {"echo": False, "hide_parameters": True}


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and `BEGIN IMMEDIATE` for every transaction."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        # the driver must not emit its own deferred BEGIN; `_begin` below takes over
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def application_name(url: str) -> str:
    """`?application_name=` of `url`, else "paylink": operators (and tests) tell processes'
    sessions apart in `pg_stat_activity` by it; connect_args would otherwise override it."""
    given = make_url(url).query.get("application_name")
    if isinstance(given, tuple):  # named more than once: libpq keeps the last
        given = given[-1] if given else None
    return given or DEFAULT_APPLICATION_NAME


def create_db_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> AsyncEngine:
    """An async engine for `url` (`postgresql+psycopg://…` or `sqlite+aiosqlite:///…`)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow, **_QUIET)
        configure_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=30,
        # No pre-ping: it would add a round trip to every short money transaction; a dead
        # connection fails one request and SQLAlchemy then recycles the whole pool.
        pool_recycle=1800,
        connect_args={"application_name": application_name(url)},
        **_QUIET,
    )


def engine_from_settings(settings: Settings) -> AsyncEngine:
    """The engine for `PAYLINK_DATABASE_URL`."""
    return create_db_engine(settings.database_url.value)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (the service returns them)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def db_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the database for the app's lifetime and register its readiness probe."""
    engine = engine_from_settings(app[settings_key])
    app[engine_key] = engine
    app[db_key] = create_sessionmaker(engine)
    app[readiness_checks_key]["database"] = _ping
    try:
        yield
    finally:
        await engine.dispose()


async def _ping(app: web.Application) -> tuple[bool, str]:
    async with app[engine_key].connect() as connection:
        await connection.execute(text("SELECT 1"))
    return True, "ok"
