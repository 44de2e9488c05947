"""Spec §C: catalogue endpoints answer like VTPass, misspellings and type drift included."""

from __future__ import annotations

from typing import Any

import pytest

from tests.simulator.conftest import SimClient

SERVICES_BY_CATEGORY = {
    "airtime": ["mtn", "glo", "airtel", "etisalat"],
    "data": [
        "mtn-data",
        "glo-data",
        "airtel-data",
        "etisalat-data",
        "glo-sme-data",
        "smile-direct",
        "spectranet",
    ],
    "tv-subscription": ["dstv", "gotv", "startimes", "showmax"],
    "electricity-bill": [
        "ikeja-electric",
        "eko-electric",
        "kano-electric",
        "portharcourt-electric",
        "jos-electric",
        "ibadan-electric",
        "kaduna-electric",
        "abuja-electric",
        "enugu-electric",
        "benin-electric",
        "aba-electric",
        "yola-electric",
    ],
    "education": ["waec", "waec-registration", "jamb"],
    "insurance": ["ui-insure"],
}
PLAN_SERVICES = [
    sid
    for ids in SERVICES_BY_CATEGORY.values()
    for sid in ids
    if sid not in SERVICES_BY_CATEGORY["airtime"] + SERVICES_BY_CATEGORY["electricity-bill"]
]


async def services(vt: SimClient, identifier: str) -> dict[str, Any]:
    return {
        row["serviceID"]: row
        for row in (await vt.get("services", identifier=identifier))["content"]
    }


async def test_categories_list_the_documented_identifiers(vt):
    body = await vt.get("service-categories")
    assert body["response_description"] == "000"
    assert "code" not in body
    assert [c["identifier"] for c in body["content"]] == [
        "airtime",
        "data",
        "tv-subscription",
        "electricity-bill",
        "education",
        "funds",
        "events",
        "other-services",
        "insurance",
    ]
    assert {"identifier": "electricity-bill", "name": "Electricity Bill"} in body["content"]


@pytest.mark.parametrize(("identifier", "expected"), list(SERVICES_BY_CATEGORY.items()))
async def test_services_of_each_category(vt, identifier, expected):
    body = await vt.get("services", identifier=identifier)
    assert body["response_description"] == "000"
    assert [row["serviceID"] for row in body["content"]] == expected


async def test_service_rows_use_vtpass_misspellings(vt):
    row = (await services(vt, "data"))["mtn-data"]
    assert row == {
        "serviceID": "mtn-data",
        "name": "MTN Data",
        "minimium_amount": "1",
        "maximum_amount": "1000000",
        "convinience_fee": "0 %",
        "product_type": "fix",
        "image": "https://sandbox.vtpass.com/resources/products/200X200/MTN-Data.jpg",
    }


@pytest.mark.parametrize(
    ("identifier", "product_type"),
    [
        ("airtime", "flexible"),
        ("electricity-bill", "flexible"),
        ("data", "fix"),
        ("tv-subscription", "fix"),
        ("education", "fix"),
        ("insurance", "fix"),
    ],
)
async def test_product_type_is_flexible_only_for_airtime_and_electricity(
    vt, identifier, product_type
):
    rows = (await vt.get("services", identifier=identifier))["content"]
    assert {row["product_type"] for row in rows} == {product_type}


@pytest.mark.parametrize(
    ("identifier", "service_id", "minimum", "maximum"),
    [
        ("airtime", "mtn", "50", "50000"),
        ("electricity-bill", "ikeja-electric", "500", "500000"),
        ("data", "glo-data", "1", "200000"),
        ("data", "smile-direct", "100", "150000"),
        ("data", "spectranet", "1", "100000"),
        ("data", "glo-sme-data", "1", "1000000"),
    ],
)
async def test_advertised_amount_limits(vt, identifier, service_id, minimum, maximum):
    row = (await services(vt, identifier))[service_id]
    assert row["minimium_amount"] == minimum
    assert str(row["maximum_amount"]) == maximum


async def test_maximum_amount_is_sometimes_a_number(vt):
    assert (await services(vt, "airtime"))["mtn"]["maximum_amount"] == 50000
    assert (await services(vt, "data"))["mtn-data"]["maximum_amount"] == "1000000"


async def test_electricity_services_carry_the_disco_names(vt):
    rows = await services(vt, "electricity-bill")
    assert rows["ikeja-electric"]["name"] == "Ikeja Electric Payment - IKEDC"
    assert rows["kano-electric"]["name"] == "KEDCO - Kano Electric"
    assert rows["eko-electric"]["name"] == "Eko Electric Payment - EKEDC"


async def test_showmax_advertises_its_convenience_fee(vt):
    assert (await services(vt, "tv-subscription"))["showmax"]["convinience_fee"] == "N100"


async def test_unknown_category_identifier_gets_011_and_an_empty_list(vt):
    assert await vt.get("services", identifier="lottery") == {
        "response_description": "011",
        "content": [],
    }


async def test_known_category_without_seeded_services_is_empty(vt):
    assert await vt.get("services", identifier="funds") == {
        "response_description": "000",
        "content": [],
    }


async def test_variations_come_under_both_spellings(vt):
    body = await vt.get("service-variations", serviceID="dstv")
    content = body["content"]
    assert body["response_description"] == "000"
    assert content["ServiceName"] == "DSTV Subscription"
    assert content["serviceID"] == "dstv"
    assert content["convinience_fee"] == "0 %"
    assert content["variations"] == content["varations"]


@pytest.mark.parametrize(
    ("service_id", "code", "amount"),
    [
        ("mtn-data", "mtn-10mb-100", "100.00"),
        ("mtn-data", "mtn-40gb-10000", "10000.00"),
        ("glo-data", "glo1000", "1000.00"),
        ("glo-sme-data", "glo-dg-50", "50.00"),
        ("smile-direct", "516", "510.00"),
        ("dstv", "dstv-padi", "1850.00"),
        ("dstv", "dstv79", "7900.00"),
        ("dstv", "dstv3", "18400.00"),
        ("gotv", "gotv-max", "3600.00"),
        ("startimes", "nova", "900.00"),
        ("startimes", "basic", "1300.00"),
        ("waec", "waecdirect", "900.00"),
        ("waec-registration", "waec-registraion", "14450.00"),
        ("jamb", "utme-mock", "7700.00"),
        ("jamb", "utme-no-mock", "6200.00"),
        ("jamb", "de", "4700.00"),
        ("ui-insure", "1", "3000.00"),
    ],
)
async def test_documented_plans_are_seeded_with_string_amounts(vt, service_id, code, amount):
    plans = (await vt.get("service-variations", serviceID=service_id))["content"]["variations"]
    plan = next(p for p in plans if p["variation_code"] == code)
    assert plan["variation_amount"] == amount
    assert plan["fixedPrice"] == "Yes"


async def test_spectranet_variation_amounts_are_numbers(vt):
    plans = (await vt.get("service-variations", serviceID="spectranet"))["content"]["variations"]
    assert {p["variation_code"]: p["variation_amount"] for p in plans}["vt-1000"] == 1000


@pytest.mark.parametrize("service_id", PLAN_SERVICES)
async def test_every_plan_service_has_plans(vt, service_id):
    plans = (await vt.get("service-variations", serviceID=service_id))["content"]["variations"]
    assert plans
    assert len({p["variation_code"] for p in plans}) == len(plans)


async def test_mtn_data_has_enough_plans_to_page(vt):
    plans = (await vt.get("service-variations", serviceID="mtn-data"))["content"]["variations"]
    assert len(plans) >= 25


async def test_ui_insure_offers_the_four_vehicle_classes(vt):
    plans = (await vt.get("service-variations", serviceID="ui-insure"))["content"]["variations"]
    assert [p["variation_code"] for p in plans] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("service_id", ["mtn", "ikeja-electric"])
async def test_flexible_services_have_empty_variation_lists(vt, service_id):
    content = (await vt.get("service-variations", serviceID=service_id))["content"]
    assert content["variations"] == []
    assert content["varations"] == []


async def test_unknown_service_variations_get_012(vt):
    assert await vt.get("service-variations", serviceID="9mobile-data") == {
        "response_description": "012",
        "content": {"errors": "PRODUCT DOES NOT EXIST"},
    }


async def test_balance_uses_numeric_code_and_plural_contents(vt):
    assert await vt.get("balance") == {"code": 1, "contents": {"balance": 100000}}


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("universal-insurance/options/color", "ColourName"),
        ("universal-insurance/options/engine-capacity", "CapacityName"),
        ("universal-insurance/options/state", "StateName"),
        ("universal-insurance/options/lga/1", "LGAName"),
        ("universal-insurance/options/brand", "VehicleMakeName"),
        ("universal-insurance/options/model/1", "VehicleModelName"),
    ],
)
async def test_insurance_option_lists(vt, path, key):
    body = await vt.get(path)
    assert body["response_description"] == "000"
    assert body["content"]
    assert all(key in row for row in body["content"])
