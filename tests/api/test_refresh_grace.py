"""A page reloaded during a refresh resends the refresh token just rotated: for a short grace
that is a repeat, answered with the same new pair, not a theft that ends the session. After the
grace, or for an older token, reuse still revokes the whole family. Both token stores (Redis,
and the in-process one without Redis), on the app's clock."""

from __future__ import annotations

import pytest

from gateway.api.keys import api_auth_key
from gateway.api.tokens_store import MemoryTokenStore, RedisTokenStore
from gateway.app import create_app
from gateway.settings import Settings
from tests.api.conftest import JWT_SECRET, pg_settings
from tests.api.helpers import bearer, signup

GRACE_S = 5.0


@pytest.fixture(params=["redis", "memory"])
async def client(request, aiohttp_client, clean_pg, redis_prefix, clock):
    env = {"PAYLINK_JWT_REFRESH_GRACE": str(GRACE_S)}
    if request.param == "redis":
        settings = pg_settings(clean_pg, redis_prefix, **env)
    else:
        settings = Settings.from_env(
            {
                "PAYLINK_DATABASE_URL": clean_pg,
                "PAYLINK_JWT_SECRET": JWT_SECRET,
                "PAYLINK_AT_CALLBACK_OPEN": "true",
                **env,
            }
        )
    made = await aiohttp_client(create_app(settings, clock=clock))
    expected = RedisTokenStore if request.param == "redis" else MemoryTokenStore
    assert isinstance(made.app[api_auth_key].store, expected)
    return made


async def refresh(client, token: str):
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def test_the_grace_is_a_setting():
    settings = Settings.from_env({"PAYLINK_JWT_REFRESH_GRACE": "2.5"})

    assert settings.jwt_refresh_grace_s == 2.5
    assert Settings.from_env({}).jwt_refresh_grace_s == 5.0


async def test_the_token_just_rotated_sent_again_within_the_grace_gets_the_same_pair(client, clock):
    first = await signup(client)
    rotated = await (await refresh(client, first["refresh_token"])).json()
    clock.advance(GRACE_S - 1)

    again = await refresh(client, first["refresh_token"])

    assert again.status == 200
    repeated = await again.json()
    assert repeated["access_token"] == rotated["access_token"]
    assert repeated["refresh_token"] == rotated["refresh_token"]
    assert (await client.get("/api/v1/me", headers=bearer(repeated))).status == 200
    # the session goes on: the pair's refresh token rotates as usual
    assert (await refresh(client, rotated["refresh_token"])).status == 200


async def test_the_token_just_rotated_after_the_grace_revokes_the_family(client, clock):
    first = await signup(client)
    rotated = await (await refresh(client, first["refresh_token"])).json()
    clock.advance(GRACE_S)

    reuse = await refresh(client, first["refresh_token"])

    assert reuse.status == 401
    assert (await reuse.json())["error"]["code"] == "token_reused"
    assert (await refresh(client, rotated["refresh_token"])).status == 401
    assert (await client.get("/api/v1/me", headers=bearer(rotated))).status == 401


async def test_an_older_token_within_the_grace_still_revokes_the_family(client):
    first = await signup(client)
    second = await (await refresh(client, first["refresh_token"])).json()
    third = await (await refresh(client, second["refresh_token"])).json()

    reuse = await refresh(client, first["refresh_token"])

    assert (await reuse.json())["error"]["code"] == "token_reused"
    assert (await client.get("/api/v1/me", headers=bearer(third))).status == 401


async def test_no_repeat_after_logout(client):
    first = await signup(client)
    rotated = await (await refresh(client, first["refresh_token"])).json()
    out = await client.post(
        "/api/v1/auth/logout",
        headers=bearer(rotated),
        json={"refresh_token": rotated["refresh_token"]},
    )
    assert out.status == 204

    again = await refresh(client, first["refresh_token"])

    assert again.status == 401
