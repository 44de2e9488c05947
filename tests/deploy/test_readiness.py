"""Readiness while stopping, and the shutdown settings' defaults."""

from __future__ import annotations

import pytest

from gateway.app import create_app
from gateway.errors import ConfigError
from gateway.health import mark_stopping
from gateway.settings import Settings

PRODUCTION = {
    "PAYLINK_DATABASE_URL": "postgresql+psycopg://paylink@db/paylink",
    "PAYLINK_REDIS_URL": "redis://redis:6379/0",
    "PAYLINK_JWT_SECRET": "deploy-test-secret-0123456789abcdefghijklmnop",
    "PAYLINK_AT_CALLBACK_OPEN": "true",
}


async def test_a_stopping_gateway_is_not_ready_but_still_alive(aiohttp_client, tmp_path):
    settings = Settings.from_env({"PAYLINK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/g.db"})
    app = create_app(settings)
    client = await aiohttp_client(app)
    assert (await client.get("/readyz")).status == 200

    mark_stopping(app)

    ready = await client.get("/readyz")
    assert ready.status == 503
    assert await ready.json() == {"status": "stopping", "checks": {}}
    assert (await client.get("/healthz")).status == 200


def test_production_waits_five_seconds_for_the_balancer_and_the_embedded_default_none():
    assert Settings.from_env(PRODUCTION).drain_delay_s == 5.0
    assert Settings.from_env({}).drain_delay_s == 0.0


def test_the_shutdown_delay_and_timeout_are_settings():
    settings = Settings.from_env(
        PRODUCTION | {"PAYLINK_SHUTDOWN_DELAY": "0", "PAYLINK_SHUTDOWN_TIMEOUT": "12.5"}
    )
    assert settings.drain_delay_s == 0.0
    assert settings.shutdown_timeout_s == 12.5


def test_a_shutdown_timeout_of_zero_is_refused_by_name():
    with pytest.raises(ConfigError, match="PAYLINK_SHUTDOWN_TIMEOUT"):
        Settings.from_env(PRODUCTION | {"PAYLINK_SHUTDOWN_TIMEOUT": "0"})


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("false", False), ("", None)])
def test_run_worker_is_a_setting(raw, expected):
    assert Settings.from_env(PRODUCTION | {"PAYLINK_RUN_WORKER": raw}).run_worker is expected
