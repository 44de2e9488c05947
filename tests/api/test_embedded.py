"""The embedded default (SQLite file, no Redis, in-process token store and worker), end to end.

A newcomer signs up, is credited, sets a PIN, buys airtime and polls until the in-process
worker has vended it through the built-in simulator; then logs out, and the token is dead.
"""

from __future__ import annotations

import asyncio

import pytest

from gateway.api.keys import api_auth_key
from gateway.api.tokens_store import MemoryTokenStore
from gateway.app import create_app
from gateway.settings import Settings
from gateway.store.migrate import upgrade
from tests.api.helpers import N, airtime, bearer, fund, idem, login, set_pin, signup


@pytest.fixture
async def embedded(aiohttp_client, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/paylink.db"
    upgrade(url)
    # No grace for a page reloaded mid-refresh: on the wall clock a reuse would fall inside
    # it (the grace itself is specified, on a fixed clock, in test_refresh_grace.py).
    settings = Settings.from_env({"PAYLINK_DATABASE_URL": url, "PAYLINK_JWT_REFRESH_GRACE": "0"})
    assert settings.embedded
    return await aiohttp_client(create_app(settings))


async def test_sign_up_buy_poll_and_log_out(embedded):
    client = embedded
    assert isinstance(client.app[api_auth_key].store, MemoryTokenStore)
    tokens = await signup(client)
    await fund(client, "08031234567", 1_000)
    await set_pin(client, tokens)

    accepted = await client.post(
        "/api/v1/purchases",
        json=airtime(200, phone="08011111111"),
        headers={**bearer(tokens), **idem()},
    )
    assert accepted.status == 202, await accepted.text()
    location = accepted.headers["Location"]
    status = "initiated"
    for _ in range(100):
        polled = await (await client.get(location, headers=bearer(tokens))).json()
        status = polled["status"]
        if status not in {"initiated", "pending"}:
            break
        await asyncio.sleep(0.05)
    assert status == "delivered"
    history = await (await client.get("/api/v1/transactions", headers=bearer(tokens))).json()
    assert history["items"][0]["status"] == "delivered"
    wallet = await (await client.get("/api/v1/wallet", headers=bearer(tokens))).json()
    assert wallet["balance"]["kobo"] == 800 * N

    assert (await client.post("/api/v1/auth/logout", json={}, headers=bearer(tokens))).status == 204
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).status == 401


async def test_refresh_reuse_and_rate_limits_work_in_process(embedded):
    client = embedded
    tokens = await signup(client)
    rotated = await (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).json()
    reuse = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert reuse.status == 401
    assert (await client.get("/api/v1/me", headers=bearer(rotated))).status == 401

    for _ in range(5):
        await login(client, password="wrong password")
    limited = await login(client)
    assert limited.status == 429
    assert int(limited.headers["Retry-After"]) > 0
