"""Prices come from the server, never from the request: each test is one way a client tried
to name its own price, on Postgres + Redis with the simulator's catalogue over HTTP.

A refusal is 422 with a code the web app can act on (`price_mismatch` names the current
price) and leaves the wallet untouched; nothing is ever charged at the client's figure.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from gateway.keys import db_key
from gateway.store.tables import Purchase
from tests.api.helpers import (
    OTHER_PHONE,
    PIN,
    N,
    airtime,
    bearer,
    login,
    ready_buyer,
)

BIG_PLAN = "mtn-1tb-150000"  # ₦150,000 in the simulator's catalogue
CARD = "1212121212"  # the simulator's DStv card: renewal ₦7,900


async def _buy(client, tokens, body):
    headers = {**bearer(tokens), "Idempotency-Key": uuid.uuid4().hex}
    return await client.post("/api/v1/purchases", json={"pin": PIN, **body}, headers=headers)


async def _wallet(client, tokens) -> int:
    body = await (await client.get("/api/v1/wallet", headers=bearer(tokens))).json()
    return body["balance"]["kobo"]


async def _purchases(client) -> int:
    async with client.app[db_key]() as session:
        return int(await session.scalar(select(func.count(Purchase.id))) or 0)


async def _refused(response, code: str) -> dict:
    assert response.status == 422, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == code, error
    return error


async def _verify_card(client, tokens, service_id: str = "dstv") -> dict:
    response = await client.post(
        "/api/v1/verify/smartcard",
        json={"service_id": service_id, "smartcard_number": CARD},
        headers=bearer(tokens),
    )
    assert response.status == 200, await response.text()
    return await response.json()


async def test_a_150k_data_plan_sent_as_a_renewal_of_one_naira_is_refused(client):
    tokens = await ready_buyer(client, naira=200_000)
    body = {"service_id": "mtn-data", "variation_code": BIG_PLAN, "amount": 100}

    as_renewal = await _buy(client, tokens, {**body, "subscription_type": "renew"})
    plain = await _buy(client, tokens, body)

    error = await _refused(as_renewal, "subscription_type_not_allowed")
    assert error["details"]["services"] == ["dstv", "gotv"]
    error = await _refused(plain, "price_mismatch")
    assert error["details"]["price"] == {"kobo": 150_000 * N, "formatted": "₦150,000.00"}
    assert "₦150,000.00" in error["message"]
    assert await _wallet(client, tokens) == 200_000 * N
    assert await _purchases(client) == 0


async def test_the_150k_plan_without_an_amount_is_charged_its_list_price(client):
    tokens = await ready_buyer(client, naira=200_000)

    response = await _buy(client, tokens, {"service_id": "mtn-data", "variation_code": BIG_PLAN})

    assert response.status == 202, await response.text()
    assert (await response.json())["amount"]["kobo"] == 150_000 * N
    assert await _wallet(client, tokens) == 50_000 * N


async def test_ten_waec_pins_for_one_kobo_are_refused_naming_the_price(client):
    tokens = await ready_buyer(client)

    response = await _buy(
        client,
        tokens,
        {"service_id": "waec", "variation_code": "waecdirect", "quantity": 10, "amount": 1},
    )

    error = await _refused(response, "price_mismatch")
    assert error["details"]["price"]["kobo"] == 900 * N
    assert error["details"]["quantity"] == 10
    assert error["details"]["total"]["kobo"] == 9_000 * N
    assert error["details"]["sent"]["kobo"] == 1
    assert await _wallet(client, tokens) == 10_000 * N


async def test_a_renewal_without_a_verification_on_record_is_refused(client):
    tokens = await ready_buyer(client)

    response = await _buy(
        client,
        tokens,
        {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew", "amount": 100},
    )

    await _refused(response, "verification_required")
    assert await _wallet(client, tokens) == 10_000 * N


async def test_a_renewal_is_charged_the_verified_amount_whatever_the_client_sends(client):
    tokens = await ready_buyer(client)
    verified = await _verify_card(client, tokens)
    assert verified["renewal_amount"]["kobo"] == 7_900 * N
    renew = {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew"}

    cheap = await _buy(client, tokens, {**renew, "amount": 100})
    bought = await _buy(client, tokens, renew)

    error = await _refused(cheap, "price_mismatch")
    assert error["details"]["price"]["kobo"] == 7_900 * N
    assert bought.status == 202, await bought.text()
    purchase = await bought.json()
    assert purchase["amount"]["kobo"] == 7_900 * N
    assert purchase["subscription_type"] == "renew"


async def test_another_users_verification_does_not_price_my_renewal(client):
    alice = await ready_buyer(client)
    bob = await ready_buyer(client, OTHER_PHONE)
    await _verify_card(client, bob)

    response = await _buy(
        client, alice, {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew"}
    )

    await _refused(response, "verification_required")
    assert await _wallet(client, alice) == 10_000 * N


async def test_an_expired_verification_no_longer_prices_a_renewal(client, clock):
    tokens = await ready_buyer(client)
    await _verify_card(client, tokens)
    clock.advance(timedelta(minutes=31).total_seconds())
    fresh_tokens = await (await login(client)).json()  # the first access token has expired

    response = await _buy(
        client,
        fresh_tokens,
        {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew"},
    )

    await _refused(response, "verification_required")
    assert await _wallet(client, fresh_tokens) == 10_000 * N


async def test_subscription_type_on_airtime_is_refused(client):
    tokens = await ready_buyer(client)

    response = await _buy(client, tokens, airtime(500, subscription_type="change"))

    await _refused(response, "subscription_type_not_allowed")
    assert await _wallet(client, tokens) == 10_000 * N


async def test_airtime_outside_its_bounds_is_refused_naming_them(client):
    tokens = await ready_buyer(client, naira=100_000)

    low = await _buy(client, tokens, airtime(10))
    high = await _buy(client, tokens, airtime(60_000))
    many = await _buy(client, tokens, airtime(500, quantity=3))

    error = await _refused(low, "amount_out_of_range")
    assert error["details"]["min"]["kobo"] == 50 * N
    error = await _refused(high, "amount_out_of_range")
    assert error["details"]["max"]["kobo"] == 50_000 * N
    error = await _refused(many, "quantity_not_allowed")
    assert error["details"] == {"max_quantity": 1}
    assert await _wallet(client, tokens) == 100_000 * N


async def test_the_price_a_client_believes_is_accepted_when_it_is_the_servers(client):
    tokens = await ready_buyer(client)

    response = await _buy(
        client,
        tokens,
        {"service_id": "waec", "variation_code": "waecdirect", "quantity": 2, "amount": 900 * N},
    )

    assert response.status == 202, await response.text()
    assert (await response.json())["amount"]["kobo"] == 1_800 * N
