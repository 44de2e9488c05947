"""Prices come from the server, never from the request: each test is one way a client tried
to name its own price, on Postgres + Redis with the simulator's catalogue over HTTP.

A refusal is 422 with a code the web app can act on (`price_mismatch` names the current
price) and leaves the wallet untouched; nothing is ever charged at the client's figure.
"""

from __future__ import annotations

from datetime import timedelta

from tests.api.helpers import (
    OTHER_PHONE,
    N,
    airtime,
    bearer,
    login,
    ready_buyer,
)
from tests.api.purchasing import buy, purchase_count, refused, wallet_kobo

BIG_PLAN = "mtn-1tb-150000"  # ₦150,000 in the simulator's catalogue
CARD = "1212121212"  # the simulator's DStv card: renewal ₦7,900


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

    as_renewal = await buy(client, tokens, {**body, "subscription_type": "renew"})
    plain = await buy(client, tokens, body)

    error = await refused(as_renewal, "subscription_type_not_allowed")
    assert error["details"]["services"] == ["dstv", "gotv"]
    error = await refused(plain, "price_mismatch")
    assert error["details"]["price"] == {"kobo": 150_000 * N, "formatted": "₦150,000.00"}
    assert "₦150,000.00" in error["message"]
    assert await wallet_kobo(client, tokens) == 200_000 * N
    assert await purchase_count(client) == 0


async def test_the_150k_plan_without_an_amount_is_charged_its_list_price(client):
    tokens = await ready_buyer(client, naira=200_000)

    response = await buy(client, tokens, {"service_id": "mtn-data", "variation_code": BIG_PLAN})

    assert response.status == 202, await response.text()
    assert (await response.json())["amount"]["kobo"] == 150_000 * N
    assert await wallet_kobo(client, tokens) == 50_000 * N


async def test_ten_waec_pins_for_one_kobo_are_refused_naming_the_price(client):
    tokens = await ready_buyer(client)

    response = await buy(
        client,
        tokens,
        {"service_id": "waec", "variation_code": "waecdirect", "quantity": 10, "amount": 1},
    )

    error = await refused(response, "price_mismatch")
    assert error["details"]["price"]["kobo"] == 900 * N
    assert error["details"]["quantity"] == 10
    assert error["details"]["total"]["kobo"] == 9_000 * N
    assert error["details"]["sent"]["kobo"] == 1
    assert await wallet_kobo(client, tokens) == 10_000 * N


async def test_a_renewal_without_a_verification_on_record_is_refused(client):
    tokens = await ready_buyer(client)

    response = await buy(
        client,
        tokens,
        {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew", "amount": 100},
    )

    await refused(response, "verification_required")
    assert await wallet_kobo(client, tokens) == 10_000 * N


async def test_a_renewal_is_charged_the_verified_amount_whatever_the_client_sends(client):
    tokens = await ready_buyer(client)
    verified = await _verify_card(client, tokens)
    assert verified["renewal_amount"]["kobo"] == 7_900 * N
    renew = {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew"}

    cheap = await buy(client, tokens, {**renew, "amount": 100})
    bought = await buy(client, tokens, renew)

    error = await refused(cheap, "price_mismatch")
    assert error["details"]["price"]["kobo"] == 7_900 * N
    assert bought.status == 202, await bought.text()
    purchase = await bought.json()
    assert purchase["amount"]["kobo"] == 7_900 * N
    assert purchase["subscription_type"] == "renew"


async def test_another_users_verification_does_not_price_my_renewal(client):
    alice = await ready_buyer(client)
    bob = await ready_buyer(client, OTHER_PHONE)
    await _verify_card(client, bob)

    response = await buy(
        client, alice, {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew"}
    )

    await refused(response, "verification_required")
    assert await wallet_kobo(client, alice) == 10_000 * N


async def test_an_expired_verification_no_longer_prices_a_renewal(client, clock):
    tokens = await ready_buyer(client)
    await _verify_card(client, tokens)
    clock.advance(timedelta(minutes=31).total_seconds())
    fresh_tokens = await (await login(client)).json()  # the first access token has expired

    response = await buy(
        client,
        fresh_tokens,
        {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew"},
    )

    await refused(response, "verification_required")
    assert await wallet_kobo(client, fresh_tokens) == 10_000 * N


async def test_subscription_type_on_airtime_is_refused(client):
    tokens = await ready_buyer(client)

    response = await buy(client, tokens, airtime(500, subscription_type="change"))

    await refused(response, "subscription_type_not_allowed")
    assert await wallet_kobo(client, tokens) == 10_000 * N


async def test_airtime_outside_its_bounds_is_refused_naming_them(client):
    tokens = await ready_buyer(client, naira=100_000)

    low = await buy(client, tokens, airtime(10))
    high = await buy(client, tokens, airtime(60_000))
    many = await buy(client, tokens, airtime(500, quantity=3))

    error = await refused(low, "amount_out_of_range")
    assert error["details"]["min"]["kobo"] == 50 * N
    error = await refused(high, "amount_out_of_range")
    assert error["details"]["max"]["kobo"] == 50_000 * N
    error = await refused(many, "quantity_not_allowed")
    assert error["details"] == {"max_quantity": 1}
    assert await wallet_kobo(client, tokens) == 100_000 * N


async def test_the_price_a_client_believes_is_accepted_when_it_is_the_servers(client):
    tokens = await ready_buyer(client)

    response = await buy(
        client,
        tokens,
        {"service_id": "waec", "variation_code": "waecdirect", "quantity": 2, "amount": 900 * N},
    )

    assert response.status == 202, await response.text()
    assert (await response.json())["amount"]["kobo"] == 1_800 * N
