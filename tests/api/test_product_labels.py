"""What a REST purchase is called on its receipt and in the history: the provider's brand once,
the plan without the price VTPass writes into its name (was "DSTV Subscription DStv Yanga
N2,565", printed before the amount on the receipt)."""

from __future__ import annotations

import uuid

from tests.api.helpers import PIN, bearer, ready_buyer


async def _buy(client, tokens, body):
    headers = {**bearer(tokens), "Idempotency-Key": uuid.uuid4().hex}
    return await client.post("/api/v1/purchases", json={"pin": PIN, **body}, headers=headers)


async def test_a_bouquet_bought_on_the_web_is_named_as_on_a_phone(client):
    tokens = await ready_buyer(client)
    response = await _buy(
        client,
        tokens,
        {"service_id": "dstv", "variation_code": "dstv-yanga", "customer_ref": "1212121212"},
    )
    assert response.status == 202, await response.text()
    assert (await response.json())["product"] == "DStv Yanga"


async def test_a_meter_bought_on_the_web_is_named_by_its_disco(client):
    tokens = await ready_buyer(client)
    response = await _buy(
        client,
        tokens,
        {
            "service_id": "ikeja-electric",
            "variation_code": "prepaid",
            "customer_ref": "1111111111111",
            "amount": 1_000_00,
        },
    )
    assert response.status == 202, await response.text()
    assert (await response.json())["product"] == "IKEDC Prepaid"


async def test_airtime_bought_on_the_web_is_named_as_on_a_phone(client):
    tokens = await ready_buyer(client)
    response = await _buy(
        client, tokens, {"service_id": "mtn", "amount": 1_000_00, "phone": "08011111111"}
    )
    assert response.status == 202, await response.text()
    assert (await response.json())["product"] == "MTN Airtime"
