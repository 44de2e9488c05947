"""Health and readiness of a fully wired app on the embedded default."""

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings


@pytest.fixture
def embedded_settings(tmp_path):
    return Settings.from_env({"PAYLINK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/gw.db"})


@pytest.fixture
async def client(aiohttp_client, embedded_settings):
    return await aiohttp_client(create_app(embedded_settings))


async def test_healthz_answers_ok(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_checks_the_database_and_vtpass(client):
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200, body
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["vtpass"]["detail"] == "circuit breaker closed"
    assert "redis" not in body["checks"]


async def test_readyz_reports_an_unreachable_redis(aiohttp_client, tmp_path):
    settings = Settings.from_env(
        {
            "PAYLINK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/gw.db",
            "PAYLINK_REDIS_URL": "redis://127.0.0.1:1/0",
            "PAYLINK_JWT_SECRET": "health-test-secret-0123456789abcdefghijklmnop",
            "PAYLINK_AT_CALLBACK_OPEN": "true",
        }
    )
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 503
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


async def test_readyz_says_not_ready_while_the_vtpass_breaker_is_open(aiohttp_client, tmp_path):
    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    settings = Settings.from_env({"PAYLINK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/g.db"})
    app = create_app(settings, vtpass_transport=httpx.MockTransport(refuse))
    client = await aiohttp_client(app)
    from gateway.vtpass.keys import vtpass_key

    vtpass = app[vtpass_key]
    for _ in range(settings.vtpass_breaker_failures):
        with pytest.raises(Exception):  # noqa: B017,PT011 - any upstream error opens it
            await vtpass.balance()
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 503
    assert body["checks"]["vtpass"]["ok"] is False


async def test_metrics_are_in_prometheus_text_format(client):
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
