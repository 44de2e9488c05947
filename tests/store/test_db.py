"""The engine factory and the aiohttp cleanup context."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import text

from gateway.keys import db_key, engine_key, readiness_checks_key, settings_key
from gateway.settings import DatabaseUrl, Settings
from gateway.store.db import create_db_engine, db_ctx


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_url):
    engine = create_db_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        assert (mode, timeout, foreign_keys) == ("wal", 30_000, 1)
    finally:
        await engine.dispose()


async def test_sqlite_writers_queue_instead_of_failing(sqlite_url):
    engine = create_db_engine(sqlite_url)

    async def write(i: int) -> None:
        async with engine.begin() as connection:
            # a read first, then a write: with a deferred BEGIN this upgrade would fail
            await connection.execute(text("SELECT count(*) FROM pricing_rules"))
            await asyncio.sleep(0.01)
            await connection.execute(
                text(
                    "INSERT INTO pricing_rules (category, service_id, updated_at)"
                    " VALUES ('t', :s, CURRENT_TIMESTAMP)"
                ),
                {"s": f"s{i}"},
            )

    try:
        await asyncio.gather(*(write(i) for i in range(8)))
        async with engine.begin() as connection:
            count = (
                await connection.execute(
                    text("SELECT count(*) FROM pricing_rules WHERE category='t'")
                )
            ).scalar()
            await connection.execute(text("DELETE FROM pricing_rules WHERE category = 't'"))
        assert count == 8
    finally:
        await engine.dispose()


async def test_db_ctx_opens_the_engine_and_registers_a_readiness_check(pg_url):
    app = web.Application()
    app[settings_key] = Settings(database_url=DatabaseUrl(pg_url))
    app[readiness_checks_key] = {}
    context = db_ctx(app)

    await anext(context)
    try:
        async with app[db_key]() as session:
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
        assert await app[readiness_checks_key]["database"](app) == (True, "ok")
        assert app[engine_key].dialect.name == "postgresql"
    finally:
        await anext(context, None)


async def test_postgres_sessions_carry_the_application_name_the_url_gives(pg_url):
    named = create_db_engine(f"{pg_url}?application_name=paylink-worker-7")
    plain = create_db_engine(pg_url)
    try:
        for engine, expected in ((named, "paylink-worker-7"), (plain, "paylink")):
            async with engine.connect() as connection:
                shown = await connection.scalar(text("SHOW application_name"))
            assert shown == expected
    finally:
        await named.dispose()
        await plain.dispose()
