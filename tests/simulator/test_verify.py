"""Spec §D: merchant-verify test values; a wrong number is `000` with `content.error`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gateway.vtpass.simulator import start_simulator
from tests.simulator.conftest import SimClient

DISCOS = {
    "ikeja-electric": "Ikeja Electric",
    "eko-electric": "Eko Electric",
    "kano-electric": "Kano Electric",
    "portharcourt-electric": "Port Harcourt Electric",
    "jos-electric": "Jos Electric",
    "ibadan-electric": "Ibadan Electric",
    "kaduna-electric": "Kaduna Electric",
    "abuja-electric": "Abuja Electric",
    "enugu-electric": "Enugu Electric",
    "benin-electric": "Benin Electric",
    "aba-electric": "Aba Electric",
    "yola-electric": "Yola Electric",
}
SMARTCARD_ERROR = (
    "The Smartcard/Decoder Number you entered may be invalid, Please check and only proceed if "
    "you are sure it's valid."
)


async def verify(vt: SimClient, **body: Any) -> Any:
    return await vt.post("merchant-verify", body)


@pytest.mark.parametrize("service_id", list(DISCOS))
async def test_prepaid_test_meter_verifies_on_every_disco(vt, service_id):
    body = await verify(vt, billersCode="1111111111111", serviceID=service_id, type="prepaid")
    assert body == {
        "code": "000",
        "content": {
            "Customer_Name": "TESTMETER1",
            "Address": "ABULE EGBA BU ABULE",
            "Meter_Number": "1111111111111",
            "Customer_Arrears": "",
            "Minimum_Amount": "",
            "Min_Purchase_Amount": "",
            "Can_Vend": "yes",
            "Business_Unit": "",
            "Customer_Account_Type": "NMD",
            "Meter_Type": "PREPAID",
            "WrongBillersCode": False,
            "commission_details": {
                "amount": None,
                "rate": "1.50",
                "rate_type": "percent",
                "computation_type": "default",
            },
        },
    }


async def test_postpaid_test_meter_verifies_as_postpaid(vt):
    body = await verify(vt, billersCode="1010101010101", serviceID="eko-electric", type="postpaid")
    assert body["content"]["Meter_Type"] == "POSTPAID"
    assert body["content"]["Meter_Number"] == "1010101010101"


@pytest.mark.parametrize("service_id", list(DISCOS))
async def test_wrong_meter_is_code_000_with_an_error_naming_the_disco(vt, service_id):
    body = await verify(vt, billersCode="12345678901", serviceID=service_id, type="prepaid")
    assert body == {
        "code": "000",
        "content": {
            "error": f"This meter is not correct or is not a valid {DISCOS[service_id]} prepaid "
            "meter. Please check and try again",
            "WrongBillersCode": True,
        },
    }


async def test_prepaid_meter_with_postpaid_type_fails_verification(vt):
    body = await verify(
        vt, billersCode="1111111111111", serviceID="ikeja-electric", type="postpaid"
    )
    assert body["content"]["WrongBillersCode"] is True
    assert "Ikeja Electric postpaid meter" in body["content"]["error"]


@pytest.mark.parametrize(
    ("service_id", "customer_type", "bouquet_code", "renewal"),
    [
        ("dstv", "DSTV", "dstv79", 7900),
        ("gotv", "GOTV", "gotv-max", 3600),
        ("startimes", "STARTIMES", "basic", 1300),
    ],
)
async def test_test_smartcard_verifies_with_bouquet_and_renewal_amount(
    vt, service_id, customer_type, bouquet_code, renewal
):
    body = await verify(vt, billersCode="1212121212", serviceID=service_id)
    content = body["content"]
    assert body["code"] == "000"
    assert content["Customer_Name"] == "TEST METER"
    assert content["Status"] == "ACTIVE"
    assert content["Customer_Number"] == "8061522780"
    assert content["Customer_Type"] == customer_type
    assert content["Current_Bouquet_Code"] == bouquet_code
    assert content["Renewal_Amount"] == renewal
    assert content["Due_Date"] == "2026-12-27T00:00:00"  # clock + 30 days


async def test_dstv_current_bouquet_is_compact(vt):
    body = await verify(vt, billersCode="1212121212", serviceID="dstv")
    assert body["content"]["Current_Bouquet"] == "DStv Compact"


@pytest.mark.parametrize("service_id", ["dstv", "gotv", "startimes"])
async def test_wrong_smartcard_is_code_000_with_error(vt, service_id):
    body = await verify(vt, billersCode="7012345678", serviceID=service_id)
    assert body == {
        "code": "000",
        "content": {"error": SMARTCARD_ERROR, "WrongBillersCode": True},
    }


async def test_jamb_test_profile_verifies(vt):
    body = await verify(vt, billersCode="0123456789", serviceID="jamb", type="utme-mock")
    assert body["code"] == "000"
    assert body["content"]["Customer_Name"] == "Capital James"
    assert body["content"]["commission_details"]["rate"] == "1.50"


async def test_wrong_jamb_profile_fails_verification(vt):
    body = await verify(vt, billersCode="9999999999", serviceID="jamb", type="utme-mock")
    assert body["code"] == "000"
    assert body["content"]["WrongBillersCode"] is True
    assert "error" in body["content"]


@pytest.mark.parametrize("account", ["tester@sandbox.com", "08011111111"])
async def test_smile_account_lookup_via_merchant_verify(vt, account):
    body = await verify(vt, billersCode=account, serviceID="smile-direct")
    content = body["content"]
    assert body["code"] == "000"
    assert content["Customer_Name"]
    assert content["AccountList"]["NumberOfAccounts"] == 1
    assert content["AccountList"]["Account"][0].keys() == {"AccountId", "FriendlyName"}


@pytest.mark.parametrize("lookup", ["email", "phone"])
async def test_smile_lookup_routes(vt, lookup):
    account = "tester@sandbox.com" if lookup == "email" else "08011111111"
    body = await vt.post(
        f"merchant-verify/smile/{lookup}", {"billersCode": account, "serviceID": "smile-direct"}
    )
    assert body["content"]["AccountList"]["NumberOfAccounts"] == 1


async def test_unknown_smile_account_fails_verification(vt):
    body = await verify(vt, billersCode="nobody@example.com", serviceID="smile-direct")
    assert body["content"]["WrongBillersCode"] is True


async def test_spectranet_test_number_verifies(vt):
    body = await verify(vt, billersCode="1212121212", serviceID="spectranet")
    assert body["code"] == "000"
    assert body["content"]["Customer_Name"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"serviceID": "dstv"}, ["billersCode"]),
        ({"billersCode": "1212121212"}, ["serviceID"]),
        ({}, ["billersCode", "serviceID"]),
        ({"billersCode": "1111111111111", "serviceID": "ikeja-electric"}, ["type"]),
        ({"billersCode": "0123456789", "serviceID": "jamb"}, ["type"]),
    ],
)
async def test_missing_fields_get_011_listing_them(vt, body, errors):
    assert await vt.post("merchant-verify", body) == {
        "code": "011",
        "response_description": "INVALID ARGUMENTS",
        "content": {"errors": errors},
    }


async def test_unknown_service_gets_012(vt):
    assert await verify(vt, billersCode="1111111111111", serviceID="phed", type="prepaid") == {
        "code": "012",
        "response_description": "PRODUCT DOES NOT EXIST",
    }


async def test_verification_never_debits_or_stores(vt):
    await verify(vt, billersCode="1111111111111", serviceID="ikeja-electric", type="prepaid")
    await verify(vt, billersCode="1212121212", serviceID="dstv")
    assert await vt.balance() == 100000
    assert await vt.stored_count() == 0


async def test_wrong_billers_code_can_be_a_string(sim_config, vt):
    config = replace(sim_config, wrong_billers_code_as_string=True)
    async with start_simulator(config) as sim:
        response = await vt.http.post(
            sim.base_url + "merchant-verify",
            headers=vt.post_headers,
            json={"billersCode": "1", "serviceID": "dstv"},
        )
    assert response.json()["content"]["WrongBillersCode"] == "true"


async def test_jos_variant_leaves_name_empty_and_spells_meter_number_differently(sim_config, vt):
    config = replace(sim_config, disco_variants=True)
    async with start_simulator(config) as sim:
        response = await vt.http.post(
            sim.base_url + "merchant-verify",
            headers=vt.post_headers,
            json={"billersCode": "1111111111111", "serviceID": "jos-electric", "type": "prepaid"},
        )
    content = response.json()["content"]
    assert content["Customer_Name"] == ""
    assert content["MeterNumber"] == "1111111111111"
    assert "Meter_Number" not in content
