"""Spec §E steps 1-9: `/pay` validation order, first failure wins, and nothing is stored or
debited for a rejection. Each "beats" test sends a request failing two steps at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gateway.vtpass.simulator import start_simulator

AIRTIME = {"serviceID": "mtn", "amount": 100, "phone": "08011111111"}
PREPAID = {
    "serviceID": "ikeja-electric",
    "billersCode": "1111111111111",
    "variation_code": "prepaid",
    "amount": 2000,
    "phone": "08011111111",
}
DATA = {
    "serviceID": "mtn-data",
    "billersCode": "08011111111",
    "variation_code": "mtn-10mb-100",
    "phone": "08011111111",
}
WAEC = {"serviceID": "waec", "variation_code": "waecdirect", "phone": "08011111111"}
NO_DATE = "IMPROPER REQUEST ID: DOES NOT CONTAIN DATE"
BAD_DATE = (
    "IMPROPER REQUEST ID: NOT PROPER DATE FORMAT – FIRST 8 CHARACTERS MUST BE DATE "
    "(TODAY'S DATE – YYYYMMDD)"
)
NOT_TODAY = (
    "IMPROPER REQUEST ID: DATE NOT TODAY'S DATE – FIRST 8 CHARACTERS MUST BE TODAY'S DATE IN "
    "THIS FORMAT: YYYYMMDD"
)


# -- step 2: required fields ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"serviceID": "mtn", "amount": 100}, ["phone"]),
        ({"serviceID": "mtn", "phone": "08011111111"}, ["amount"]),
        (
            {"serviceID": "ikeja-electric", "phone": "1"},
            ["amount", "billersCode", "variation_code"],
        ),
        (
            {"serviceID": "mtn-data", "phone": "1", "variation_code": "mtn-10mb-100"},
            ["billersCode"],
        ),
        ({"serviceID": "waec", "phone": "1"}, ["variation_code"]),
        (
            {
                "serviceID": "dstv",
                "phone": "1",
                "billersCode": "1212121212",
                "subscription_type": "renew",
            },
            ["amount"],
        ),
        (
            {
                "serviceID": "dstv",
                "phone": "1",
                "billersCode": "1212121212",
                "subscription_type": "change",
            },
            ["variation_code"],
        ),
        ({"serviceID": "showmax", "phone": "1", "variation_code": "full"}, ["billersCode"]),
        ({"serviceID": "ui-insure", "phone": "1", "billersCode": "ABC123XY"}, ["variation_code"]),
    ],
)
async def test_missing_fields_get_011_listing_them(vt, body, errors):
    assert await vt.pay(**body) == {
        "code": "011",
        "response_description": "INVALID ARGUMENTS",
        "content": {"errors": errors},
    }


async def test_missing_request_id_gets_011(vt):
    body = await vt.post("pay", AIRTIME)
    assert body["content"]["errors"] == ["request_id"]


async def test_a_non_numeric_amount_gets_011(vt):
    body = await vt.pay(**{**AIRTIME, "amount": "one hundred"})
    assert body["code"] == "011"
    assert body["content"]["errors"] == ["amount"]


@pytest.mark.parametrize(
    ("field", "value"), [("phone", {"n": 1}), ("billersCode", [1]), ("phone", 8.5)]
)
async def test_a_field_that_is_not_text_or_a_number_gets_011(vt, field, value):
    body = await vt.pay(**{**DATA, field: value})
    assert body["code"] == "011"
    assert body["content"]["errors"] == [field]


async def test_phone_sent_as_a_number_is_accepted(vt):
    body = await vt.pay(**{**AIRTIME, "phone": 8011111111})
    assert body["content"]["transactions"]["unique_element"] == "8011111111"


async def test_a_body_that_is_not_json_gets_011(vt):
    response = await vt.http.post(
        vt.sim.base_url + "pay", content=b"not json", headers=vt.post_headers
    )
    assert response.json()["code"] == "011"


async def test_form_encoded_pay_is_understood(vt):
    response = await vt.http.post(
        vt.sim.base_url + "pay",
        data={**{k: str(v) for k, v in AIRTIME.items()}, "request_id": vt.request_id()},
        headers=vt.post_headers,
    )
    assert response.json()["code"] == "000"


async def test_missing_field_beats_bad_request_id(vt):
    body = await vt.pay(request_id="PYL-123", serviceID="mtn", amount=100)
    assert body["code"] == "011"


# -- step 3: request_id format -------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_id", "description"),
    [
        ("2026112711", NO_DATE),
        ("PYL-20261127-0001", NO_DATE),
        ("2026112711ab-xyz", NO_DATE),
        ("202613271100abc", BAD_DATE),
        ("202611311100abc", BAD_DATE),
        ("202611261100abc", NOT_TODAY),
        ("202611281100abc", NOT_TODAY),
    ],
)
async def test_malformed_request_ids_get_085_variants(vt, request_id, description):
    assert await vt.pay(request_id=request_id, **AIRTIME) == {
        "code": "085",
        "response_description": description,
    }


async def test_request_id_only_needs_todays_date_not_the_hour(vt):
    body = await vt.pay(request_id="202611270000anyhour", **AIRTIME)
    assert body["code"] == "000"


async def test_bad_request_id_beats_unknown_service(vt):
    body = await vt.pay(request_id="20261127", serviceID="9mobile", amount=100, phone="1")
    assert body["code"] == "085"


async def test_at_2330_utc_only_the_next_lagos_day_is_today(vt, sim_clock):
    sim_clock.set(datetime(2026, 11, 27, 23, 30, tzinfo=UTC))
    utc_dated = await vt.pay(request_id="202611272330utc", **AIRTIME)
    lagos_dated = await vt.pay(request_id="202611280030lagos", **AIRTIME)
    assert utc_dated["response_description"] == NOT_TODAY
    assert lagos_dated["code"] == "000"


async def test_strict_hour_mode_rejects_an_hour_off_by_more_than_one(sim_config, vt):
    config = replace(sim_config, strict_request_id_hour=True)
    async with start_simulator(config) as sim:
        vt.sim = sim
        off = await vt.pay(request_id="202611270800early", **AIRTIME)
        near = await vt.pay(request_id="202611271200near", **AIRTIME)
    assert off["code"] == "085"
    assert "INCORRECT TIME" in off["response_description"]
    assert near["code"] == "000"


# -- step 4: request_id uniqueness ---------------------------------------------------------


async def test_reused_request_id_gets_014(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME)
    assert await vt.pay(request_id=request_id, **AIRTIME) == {
        "code": "014",
        "response_description": "REQUEST ID ALREADY EXIST",
        "content": {"errors": []},
    }


async def test_014_leaves_the_stored_transaction_and_wallet_unchanged(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME)
    before, balance = await vt.stored(request_id), await vt.balance()
    await vt.pay(request_id=request_id, **{**AIRTIME, "amount": 5000, "phone": "201000000000"})
    assert await vt.stored(request_id) == before
    assert await vt.balance() == balance
    assert await vt.stored_count() == 1


async def test_a_failed_transactions_id_is_also_taken(vt):
    request_id = vt.request_id()
    failed = await vt.pay(request_id=request_id, **{**AIRTIME, "phone": "08030000000"})
    again = await vt.pay(request_id=request_id, **AIRTIME)
    assert (failed["code"], again["code"]) == ("016", "014")


async def test_reused_request_id_beats_unknown_service(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME)
    body = await vt.pay(request_id=request_id, serviceID="9mobile", amount=100, phone="1")
    assert body["code"] == "014"


async def test_yesterdays_stored_id_is_085_today(vt, sim_clock):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME)
    sim_clock.advance(24 * 3600)
    assert (await vt.pay(request_id=request_id, **AIRTIME))["code"] == "085"


# -- step 5: product -----------------------------------------------------------------------


@pytest.mark.parametrize("service_id", ["9mobile", "MTN", "kedco", "phed", "9mobile-data"])
async def test_unknown_service_gets_012(vt, service_id):
    body = await vt.pay(serviceID=service_id, amount=100, phone="08011111111", billersCode="1")
    assert body == {"code": "012", "response_description": "PRODUCT DOES NOT EXIST"}


async def test_product_not_whitelisted_gets_028(vt):
    await vt.control("whitelist", {"products": ["glo"]})
    assert await vt.pay(**AIRTIME) == {
        "code": "028",
        "response_description": "PRODUCT IS NOT WHITELISTED ON YOUR ACCOUNT",
    }


async def test_not_whitelisted_beats_unknown_variation(vt):
    await vt.control("whitelist", {"products": ["mtn"]})
    body = await vt.pay(**{**DATA, "variation_code": "mtn-nope"})
    assert body["code"] == "028"


# -- step 6: variation ---------------------------------------------------------------------


async def test_unknown_variation_gets_010(vt):
    assert await vt.pay(**{**DATA, "variation_code": "mtn-999gb"}) == {
        "code": "010",
        "response_description": "VARIATION CODE DOES NOT EXIST",
    }


async def test_electricity_variation_must_be_prepaid_or_postpaid(vt):
    body = await vt.pay(**{**PREPAID, "variation_code": "smart"})
    assert body["code"] == "010"


async def test_electricity_variation_is_case_insensitive(vt):
    body = await vt.pay(**{**PREPAID, "variation_code": "PREPAID"})
    assert body["code"] == "000"


async def test_unknown_variation_beats_amount_limits(vt):
    body = await vt.pay(**{**PREPAID, "variation_code": "smart", "amount": 1})
    assert body["code"] == "010"


@pytest.mark.parametrize("subscription_type", [None, "upgrade"])
async def test_tv_subscription_type_must_be_change_or_renew(vt, subscription_type):
    body = {
        "serviceID": "dstv",
        "billersCode": "1212121212",
        "variation_code": "dstv79",
        "amount": 7900,
        "phone": "08011111111",
    }
    if subscription_type:
        body["subscription_type"] = subscription_type
    assert (await vt.pay(**body))["code"] == "011"


# -- step 7: price -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**AIRTIME, "amount": 49}, "013"),
        ({**AIRTIME, "amount": 50001}, "017"),
        ({**PREPAID, "amount": 499}, "013"),
        ({**PREPAID, "amount": 500001}, "017"),
    ],
)
async def test_amount_outside_limits(vt, body, code):
    assert (await vt.pay(**body))["code"] == code


async def test_limits_are_configurable(sim_config, vt):
    from decimal import Decimal

    from gateway.vtpass.simulator import Limits

    limits = {**sim_config.limits, "mtn": Limits(Decimal(10), Decimal(20))}
    async with start_simulator(replace(sim_config, limits=limits)) as sim:
        vt.sim = sim
        assert (await vt.pay(**{**AIRTIME, "amount": 15}))["code"] == "000"
        assert (await vt.pay(**{**AIRTIME, "amount": 21}))["code"] == "017"


async def test_plan_price_wins_over_the_client_amount(vt):
    request_id = vt.request_id()
    body = await vt.pay(request_id=request_id, **{**DATA, "amount": 5})
    assert body["amount"] == 100
    assert (await vt.stored(request_id))["amount"] == 100


@pytest.mark.parametrize(("quantity", "code"), [(0, "031"), (-1, "031"), (11, "032")])
async def test_quantity_limits(vt, quantity, code):
    assert (await vt.pay(**WAEC, quantity=quantity))["code"] == code


async def test_quantity_limit_beats_amount_limit(vt):
    assert (await vt.pay(**WAEC, quantity=2000))["code"] == "032"


async def test_amount_limit_beats_duplicate_guard(vt):
    first = {**AIRTIME, "phone": "08031234567"}
    await vt.pay(**first)
    assert (await vt.pay(**{**first, "amount": 10}))["code"] == "013"


# -- step 8: duplicate guard ---------------------------------------------------------------


async def test_same_number_within_30_seconds_gets_019(vt, sim_clock):
    body = {**AIRTIME, "phone": "08031234567"}
    await vt.pay(**body)
    sim_clock.advance(29)
    assert await vt.pay(**body) == {
        "code": "019",
        "response_description": "LIKELY DUPLICATE TRANSACTION",
    }


async def test_same_number_after_30_seconds_is_processed(vt, sim_clock):
    body = {**AIRTIME, "phone": "08031234567"}
    await vt.pay(**body)
    sim_clock.advance(30)
    assert (await vt.pay(**body))["code"] == "016"


async def test_duplicate_guard_is_per_service(vt):
    await vt.pay(**{**AIRTIME, "phone": "08031234567"})
    body = await vt.pay(**{**AIRTIME, "serviceID": "glo", "phone": "08031234567"})
    assert body["code"] == "016"


async def test_duplicate_guard_keys_electricity_on_the_meter(vt):
    meter = {**PREPAID, "billersCode": "45067198823"}
    await vt.pay(**meter)
    assert (await vt.pay(**{**meter, "phone": "08099999999"}))["code"] == "019"


@pytest.mark.parametrize(
    "body",
    [
        AIRTIME,
        {**AIRTIME, "phone": "201000000000"},
        {**AIRTIME, "phone": "500000000000"},
        {**AIRTIME, "phone": "300000000000"},
        PREPAID,
        {**PREPAID, "billersCode": "1010101010101", "variation_code": "postpaid"},
        {
            "serviceID": "gotv",
            "billersCode": "1212121212",
            "variation_code": "gotv-max",
            "subscription_type": "change",
            "phone": "08031234567",
        },
    ],
)
async def test_duplicate_guard_skips_the_sandbox_test_numbers(vt, body):
    first, second = await vt.pay(**body), await vt.pay(**body)
    assert first["code"] == second["code"] != "019"


async def test_duplicate_guard_beats_low_balance(vt):
    body = {**AIRTIME, "phone": "08031234567", "amount": 1000}
    await vt.pay(**body)
    await vt.control("balance", {"balance": 0})
    assert (await vt.pay(**body))["code"] == "019"


# -- step 9: wallet ------------------------------------------------------------------------


async def test_total_above_wallet_balance_gets_018(vt):
    await vt.control("balance", {"balance": "96.49"})
    assert await vt.pay(**AIRTIME) == {"code": "018", "response_description": "LOW WALLET BALANCE"}


async def test_total_equal_to_wallet_balance_is_allowed(vt):
    await vt.control("balance", {"balance": "96.50"})  # 100 - 3.5% commission
    assert (await vt.pay(**AIRTIME))["code"] == "000"
    assert await vt.balance() == 0


# -- rejections leave no trace ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"serviceID": "mtn", "amount": 100},
        {**AIRTIME, "request_id": "20261127"},
        {**AIRTIME, "serviceID": "9mobile"},
        {**DATA, "variation_code": "nope"},
        {**AIRTIME, "amount": 1},
        {**AIRTIME, "amount": 10**6},
        {**WAEC, "quantity": 0},
    ],
)
async def test_rejections_neither_store_nor_debit(vt, body):
    body = {"request_id": vt.request_id(), **body}
    response = await vt.post("pay", body)
    assert response["code"] != "000"
    assert await vt.stored_count() == 0
    assert await vt.balance() == 100000


async def test_low_balance_rejection_neither_stores_nor_debits(vt):
    await vt.control("balance", {"balance": 10})
    assert (await vt.pay(**AIRTIME))["code"] == "018"
    assert await vt.stored_count() == 0
    assert await vt.balance() == 10
