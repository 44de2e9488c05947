"""The SMS settings in the REST API: read them, and turn SMS purchases on or off with the PIN.

The app is the API suite's (tests/api/conftest.py): `create_app` on Postgres + Redis behind an
aiohttp test client, a fixed clock.
"""

from __future__ import annotations

from tests.api import conftest as api
from tests.api.helpers import PIN, bearer, ready_buyer

# the API suite's fixtures, under their own names
clean_pg, client, clock = api.clean_pg, api.client, api.clock
redis_prefix, settings = api.redis_prefix, api.settings

ROUTE = "/api/v1/me/sms/purchases"


async def test_sms_purchases_start_off_and_notices_on(client):
    tokens = await ready_buyer(client)
    response = await client.get("/api/v1/me/sms", headers=bearer(tokens))
    assert response.status == 200
    assert await response.json() == {"purchases": False, "notices": True}


async def test_the_pin_turns_sms_purchases_on_and_off(client):
    tokens = await ready_buyer(client)
    on = await client.put(ROUTE, json={"enabled": True, "pin": PIN}, headers=bearer(tokens))
    assert (on.status, await on.json()) == (200, {"purchases": True, "notices": True})
    off = await client.put(ROUTE, json={"enabled": False, "pin": PIN}, headers=bearer(tokens))
    assert (off.status, await off.json()) == (200, {"purchases": False, "notices": True})


async def test_a_wrong_pin_changes_nothing_and_counts(client):
    tokens = await ready_buyer(client)
    wrong = await client.put(ROUTE, json={"enabled": True, "pin": "7391"}, headers=bearer(tokens))
    assert wrong.status == 403
    body = await wrong.json()
    assert body["error"]["code"] == "pin_incorrect"
    assert body["error"]["details"]["attempts_left"] == 2
    state = await client.get("/api/v1/me/sms", headers=bearer(tokens))
    assert (await state.json())["purchases"] is False


async def test_the_pin_is_required(client):
    tokens = await ready_buyer(client)
    response = await client.put(ROUTE, json={"enabled": True}, headers=bearer(tokens))
    assert response.status == 422


async def test_both_routes_need_a_signed_in_user(client):
    assert (await client.get("/api/v1/me/sms")).status == 401
    assert (await client.put(ROUTE, json={"enabled": True, "pin": PIN})).status == 401


async def test_the_routes_are_in_the_openapi_document(client):
    document = await (await client.get("/api/schema")).json()
    assert "get" in document["paths"]["/api/v1/me/sms"]
    put = document["paths"][ROUTE]["put"]
    schema = put["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/SmsPurchasesIn")
    assert {"403", "423"} <= set(put["responses"])
