"""Alembic environment: runs on a connection handed over by `gateway.store.migrate`.

`migrate.upgrade()` passes a sync connection in `config.attributes["connection"]` (the CLI and
test fixtures), `migrate.upgrade_async()` passes one from `AsyncConnection.run_sync`. Run as
plain `alembic` with a URL, it opens its own async engine with `asyncio.run`.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most constraints; batch mode rebuilds the table instead
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async(url: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


def main() -> None:
    connection = config.attributes.get("connection")
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    elif connection is not None:
        run_on(connection)
    elif url:
        asyncio.run(run_async(url))
    else:
        raise RuntimeError("no database: pass a connection or set sqlalchemy.url")


main()
