"""Apply Alembic migrations from the installed package (not the CWD): CLI, serve and tests.

The sync functions use the sync flavour of the configured driver (psycopg 3 is both; SQLite
falls back to the stdlib driver), so they never start an event loop and are safe to call from
`paylink migrate`, from a sync pytest fixture, or before `web.run_app`. Inside a running loop,
use `upgrade_async`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, pool
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.store.db import configure_sqlite

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def sync_url(url: str) -> str:
    """The same database through a driver that needs no event loop."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    return parsed.render_as_string(hide_password=False)


def _engine(url: str) -> Engine:
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        # SQLAlchemy emits BEGIN, not the stdlib driver, so SQLite's DDL is transactional
        # too: a failing revision leaves the file as it was.
        configure_sqlite(engine)
    return engine


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision`."""
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(_config(connection), revision)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at `url` down to `revision` (`base` empties it)."""
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            command.downgrade(_config(connection), revision)
    finally:
        engine.dispose()


def current(url: str) -> str | None:
    """The revision the database at `url` is at, or None when it was never migrated."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def upgrade_async(url: str, revision: str = "head") -> None:
    """`upgrade` for code already inside an event loop (e.g. an aiohttp cleanup context)."""
    engine = create_async_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine.sync_engine)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(_config(sync), revision))
    finally:
        await engine.dispose()
