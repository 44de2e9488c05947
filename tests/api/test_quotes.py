"""A price before the PIN: `POST /api/v1/quotes` and the catalogue's fees, on Postgres + Redis
with the simulator's catalogue.

Each test is a way a customer could pay a figure nobody told them: a quote computed apart
from the purchase, a catalogue advertising VTPass's fee instead of ours, or a product listed
that cannot be bought (insurance, empty categories, data without its billersCode).
"""

from __future__ import annotations

from gateway.domain.pricing import PricingRule
from gateway.keys import clock_key, db_key
from gateway.purchases.keys import purchase_service_key
from gateway.store import pricing as pricing_store
from tests.api.helpers import N, bearer, ready_buyer, signup
from tests.api.purchasing import buy, purchase_count, refused, wallet_kobo

METER = "1111111111111"  # the simulator's prepaid meter
CARD = "1212121212"  # the simulator's DStv card
IKEJA = {
    "service_id": "ikeja-electric",
    "variation_code": "prepaid",
    "customer_ref": METER,
    "amount": 1_000 * N,
}


def _money(kobo: int) -> dict[str, object]:
    return {"kobo": kobo, "formatted": f"₦{kobo // N:,}.{kobo % N:02d}"}


async def _quote(client, tokens, body):
    return await client.post("/api/v1/quotes", json=body, headers=bearer(tokens))


async def _services(client, category: str) -> dict[str, dict]:
    response = await client.get(f"/api/v1/catalogue/categories/{category}/services")
    assert response.status == 200, await response.text()
    return {s["service_id"]: s for s in (await response.json())["items"]}


async def _put_rule(client, rule: PricingRule) -> None:
    async with client.app[db_key].begin() as session:
        await pricing_store.put_rule(session, rule, at=client.app[clock_key].now())
    client.app[purchase_service_key].forget_pricing()


async def test_a_quote_names_the_fee_the_purchase_then_debits(client):
    tokens = await ready_buyer(client)

    quoted = await _quote(client, tokens, IKEJA)

    assert quoted.status == 200, await quoted.text()
    quote = await quoted.json()
    assert quote["face_amount"] == _money(1_000 * N)
    assert quote["fee"] == _money(100 * N)
    assert quote["discount"] == _money(0)
    assert quote["total"] == _money(1_100 * N)
    assert quote["unit_price"] == _money(1_000 * N)
    assert quote["product"]
    assert await wallet_kobo(client, tokens) == 10_000 * N  # a quote charges nothing
    assert await purchase_count(client) == 0
    bought = await (await buy(client, tokens, IKEJA)).json()
    assert (bought["amount"], bought["fee"], bought["total"]) == (
        quote["face_amount"],
        quote["fee"],
        quote["total"],
    )
    assert await wallet_kobo(client, tokens) == 10_000 * N - 1_100 * N


async def test_a_fee_rule_an_operator_sets_is_in_the_quote_and_the_catalogue(client):
    tokens = await ready_buyer(client)
    await _put_rule(client, PricingRule(category="airtime", fee_bp=150, fee_cap=5 * N))
    body = {"service_id": "mtn", "amount": 500 * N, "phone": "08011111111"}

    quote = await (await _quote(client, tokens, body)).json()
    mtn = (await _services(client, "airtime"))["mtn"]

    assert quote["fee"] == _money(5 * N)  # 1.5 % of ₦500 is ₦7.50, capped at ₦5
    assert quote["total"] == _money(505 * N)
    assert mtn["convenience_fee"] == "1.5 % (max ₦5.00)"
    assert mtn["fee"] == {"flat": _money(0), "percent_bp": 150, "percent_cap": _money(5 * N)}
    bought = await (await buy(client, tokens, body)).json()
    assert bought["total"] == quote["total"]


async def test_a_quote_refuses_what_the_purchase_refuses_without_charging(client):
    tokens = await ready_buyer(client)

    cheap_plan = await _quote(
        client, tokens, {"service_id": "mtn-data", "variation_code": "mtn-1tb-150000", "amount": 1}
    )
    renewal = await _quote(
        client, tokens, {"service_id": "dstv", "customer_ref": CARD, "subscription_type": "renew"}
    )
    no_meter = await _quote(client, tokens, {**IKEJA, "customer_ref": None})

    error = await refused(cheap_plan, "price_mismatch")
    assert error["details"]["price"]["kobo"] == 150_000 * N
    await refused(renewal, "verification_required")
    error = await refused(no_meter, "missing_field")
    assert error["details"]["fields"] == ["customer_ref"]
    assert await wallet_kobo(client, tokens) == 10_000 * N
    assert await purchase_count(client) == 0


async def test_a_quote_needs_a_logged_in_caller(client):
    response = await client.post("/api/v1/quotes", json=IKEJA)

    assert response.status == 401


async def test_the_catalogue_states_our_fee_not_the_providers(client):
    discos = await _services(client, "electricity-bill")
    bouquets = await _services(client, "tv-subscription")
    networks = await _services(client, "airtime")

    assert discos["ikeja-electric"]["convenience_fee"] == "₦100.00"
    assert discos["ikeja-electric"]["fee"]["flat"] == _money(100 * N)
    assert bouquets["dstv"]["convenience_fee"] == "₦100.00"
    assert networks["mtn"]["convenience_fee"] == "none"


async def test_insurance_and_empty_categories_are_not_listed_and_insurance_is_not_sold(client):
    tokens = await ready_buyer(client)

    listed = await (await client.get("/api/v1/catalogue/categories")).json()
    hidden = await client.get("/api/v1/catalogue/categories/insurance/services")
    plans = await client.get("/api/v1/catalogue/services/ui-insure/variations")
    bought = await buy(
        client, tokens, {"service_id": "ui-insure", "variation_code": "1", "customer_ref": "ABC123"}
    )

    identifiers = [c["identifier"] for c in listed["items"]]
    # exactly the USSD menu's product lines (1 Airtime ... 5 Exam PINs), in VTPass's order
    assert identifiers == ["airtime", "data", "tv-subscription", "electricity-bill", "education"]
    assert hidden.status == 404
    assert plans.status == 404
    error = await refused(bought, "missing_field")
    assert "Insured_Name" in error["details"]["fields"]
    assert "Insured_Name" in error["message"]
    assert await wallet_kobo(client, tokens) == 10_000 * N
    assert await purchase_count(client) == 0


async def test_products_billed_to_an_account_are_refused_without_it(client):
    tokens = await ready_buyer(client)

    jamb = await buy(client, tokens, {"service_id": "jamb", "variation_code": "de"})
    smile = await buy(client, tokens, {"service_id": "smile-direct", "variation_code": "516"})

    error = await refused(jamb, "missing_field")
    assert "JAMB profile ID" in error["message"]
    await refused(smile, "missing_field")
    assert await wallet_kobo(client, tokens) == 10_000 * N


async def test_a_bouquet_bought_without_subscription_type_is_sent_as_a_change(client):
    tokens = await ready_buyer(client)

    response = await buy(
        client, tokens, {"service_id": "dstv", "variation_code": "dstv-yanga", "customer_ref": CARD}
    )

    assert response.status == 202, await response.text()
    purchase = await response.json()
    assert purchase["subscription_type"] == "change"
    assert purchase["total"] == _money(2_665 * N)  # ₦2,565 + the ₦100 TV fee


async def test_the_openapi_document_describes_quotes(client):
    document = await (await client.get("/api/schema")).json()

    operation = document["paths"]["/api/v1/quotes"]["post"]
    assert "200" in operation["responses"]
    schemas = document["components"]["schemas"]
    assert {"face_amount", "fee", "discount", "total"} <= set(schemas["QuoteOut"]["properties"])
    assert "service_id" in schemas["QuoteIn"]["properties"]
    assert "pin" not in schemas["QuoteIn"]["properties"]


async def test_signing_up_is_enough_to_ask_a_price(client):
    tokens = await signup(client)  # no PIN and an empty wallet

    response = await _quote(client, tokens, IKEJA)

    assert response.status == 200, await response.text()
    assert (await response.json())["total"]["kobo"] == 1_100 * N
