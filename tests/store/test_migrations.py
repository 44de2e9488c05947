"""Migrations: every revision goes up, down and up again, on Postgres and SQLite (stairway).

The schema under test is what Alembic builds; a last check proves the models agree with it.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool

from gateway.store import migrate
from gateway.store.tables import Base

REVISIONS = migrate.revisions()
TABLES = {"users", "accounts", "journals", "entries", "purchases", "purchase_audit", "outbox"}


def _tables(url: str) -> set[str]:
    engine = create_engine(migrate.sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.fixture(params=["postgres", "sqlite"])
def empty_url(request):
    return request.getfixturevalue(f"empty_{'pg' if request.param == 'postgres' else 'sqlite'}_url")


def test_revisions_form_one_line_of_history():
    assert [f"{n:04d}" for n in range(1, 15)] == REVISIONS


@pytest.mark.parametrize("revision", REVISIONS)
def test_stairway_up_down_up(empty_url, revision):
    index = REVISIONS.index(revision)
    previous = REVISIONS[index - 1] if index else "base"
    migrate.upgrade(empty_url, revision)
    migrate.downgrade(empty_url, previous)
    assert migrate.current(empty_url) == (None if previous == "base" else previous)
    migrate.upgrade(empty_url, revision)
    assert migrate.current(empty_url) == revision


def test_downgrade_to_base_removes_every_table(empty_url):
    migrate.upgrade(empty_url)
    assert _tables(empty_url) >= TABLES

    migrate.downgrade(empty_url, "base")

    assert _tables(empty_url) == set()


def test_migrations_are_found_from_the_package_not_the_working_directory(
    empty_sqlite_url, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    migrate.upgrade(empty_sqlite_url)
    assert migrate.current(empty_sqlite_url) == REVISIONS[-1]


async def test_upgrade_async_runs_inside_an_event_loop(empty_sqlite_url):
    await migrate.upgrade_async(empty_sqlite_url)
    assert migrate.current(empty_sqlite_url) == REVISIONS[-1]


def test_the_models_match_the_migrated_postgres_schema(pg_url):
    engine = create_engine(pg_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
