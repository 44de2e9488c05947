"""Wallet balance and statement; the cached catalogue; meter, smartcard and profile checks."""

from __future__ import annotations

from tests.api.helpers import PHONE, N, airtime, bearer, fund, idem, ready_buyer, signup


async def test_balance_and_a_paginated_statement(client):
    tokens = await ready_buyer(client, naira=1_000)
    await fund(client, PHONE, 500)
    await client.post("/api/v1/purchases", json=airtime(200), headers={**bearer(tokens), **idem()})

    wallet = await (await client.get("/api/v1/wallet", headers=bearer(tokens))).json()
    first = await (
        await client.get("/api/v1/wallet/statement?page_size=2", headers=bearer(tokens))
    ).json()
    second = await (
        await client.get("/api/v1/wallet/statement?page=2&page_size=2", headers=bearer(tokens))
    ).json()

    assert wallet == {"balance": {"kobo": 1_300 * N, "formatted": "₦1,300.00"}, "currency": "NGN"}
    assert first["total"] == 3
    assert first["total_pages"] == 2
    lines = first["items"] + second["items"]
    assert [(line["kind"], line["direction"], line["amount"]["kobo"]) for line in lines] == [
        ("purchase_debit", "debit", 200 * N),
        ("credit", "credit", 500 * N),
        ("credit", "credit", 1_000 * N),
    ]


async def test_catalogue_is_public_and_unknown_ids_are_404(client):
    categories = await client.get("/api/v1/catalogue/categories")
    services = await client.get("/api/v1/catalogue/categories/electricity-bill/services")
    variations = await client.get("/api/v1/catalogue/services/dstv/variations")
    airtime_plans = await client.get("/api/v1/catalogue/services/mtn/variations")

    assert categories.status == services.status == variations.status == 200
    identifiers = {c["identifier"] for c in (await categories.json())["items"]}
    assert {"airtime", "data", "electricity-bill", "tv-subscription"} <= identifiers
    discos = (await services.json())["items"]
    assert any(s["service_id"] == "ikeja-electric" for s in discos)
    plans = (await variations.json())["items"]
    assert plans
    assert all(isinstance(p["amount"]["kobo"], int) for p in plans)
    assert (await airtime_plans.json())["items"] == []
    assert (await client.get("/api/v1/catalogue/categories/nope/services")).status == 404
    assert (await client.get("/api/v1/catalogue/services/nope/variations")).status == 404


async def test_verify_a_meter(client):
    tokens = await signup(client)
    good = await client.post(
        "/api/v1/verify/meter",
        json={
            "service_id": "ikeja-electric",
            "meter_number": "1111111111111",
            "meter_type": "prepaid",
        },
        headers=bearer(tokens),
    )
    bad = await client.post(
        "/api/v1/verify/meter",
        json={
            "service_id": "ikeja-electric",
            "meter_number": "2222222222222",
            "meter_type": "prepaid",
        },
        headers=bearer(tokens),
    )

    assert good.status == bad.status == 200
    assert (await good.json())["valid"] is True
    assert (await good.json())["customer_name"]
    body = await bad.json()
    assert body["valid"] is False
    assert body["message"]


async def test_verify_a_smartcard_and_a_jamb_profile(client):
    tokens = await signup(client)
    card = await client.post(
        "/api/v1/verify/smartcard",
        json={"service_id": "dstv", "smartcard_number": "1212121212"},
        headers=bearer(tokens),
    )
    profile = await client.post(
        "/api/v1/verify/profile",
        json={"service_id": "jamb", "profile_id": "0123456789", "variation_code": "utme"},
        headers=bearer(tokens),
    )
    wrong_card = await client.post(
        "/api/v1/verify/smartcard",
        json={"service_id": "dstv", "smartcard_number": "9999999999"},
        headers=bearer(tokens),
    )

    card_body = await card.json()
    assert card_body["valid"] is True
    assert card_body["renewal_amount"]["kobo"] > 0
    assert (await profile.json())["valid"] is True, await profile.text()
    assert (await wrong_card.json())["valid"] is False


async def test_verify_refuses_a_service_of_another_kind_and_needs_a_token(client):
    tokens = await signup(client)
    wrong_kind = await client.post(
        "/api/v1/verify/meter",
        json={"service_id": "dstv", "meter_number": "1111111111111", "meter_type": "prepaid"},
        headers=bearer(tokens),
    )
    anonymous = await client.post(
        "/api/v1/verify/meter",
        json={
            "service_id": "ikeja-electric",
            "meter_number": "1111111111111",
            "meter_type": "prepaid",
        },
    )

    assert wrong_kind.status == 422
    assert anonymous.status == 401
