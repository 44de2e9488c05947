"""Catalogue, balance, merchant-verify and webhook parsing, with the drift of vtpass.md §9."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.errors import UpstreamRejected
from gateway.money import Kobo
from gateway.vtpass.answers import (
    parse_balance,
    parse_categories,
    parse_customer_info,
    parse_services,
    parse_variations,
)
from gateway.vtpass.models import Category, Outcome, Service, Variation
from gateway.vtpass.reading import MalformedResponse, decode_json
from gateway.vtpass.webhook_events import parse_webhook
from tests.vtpass.bodies import load

# --- catalogue ---------------------------------------------------------------------------------


def test_categories():
    body = {
        "response_description": "000",
        "content": [
            {"identifier": "airtime", "name": "Airtime Recharge"},
            {"identifier": "electricity-bill", "name": "Electricity Bill"},
            {"name": "no identifier: skipped"},
        ],
    }
    assert parse_categories(body) == [
        Category("airtime", "Airtime Recharge"),
        Category("electricity-bill", "Electricity Bill"),
    ]


def test_services_with_misspelt_keys_and_mixed_number_types():
    body = {
        "response_description": "000",
        "content": [
            {
                "serviceID": "mtn-data",
                "name": "MTN Data",
                "minimium_amount": "1",
                "maximum_amount": "1000000",
                "convinience_fee": "0 %",
                "product_type": "fix",
                "image": "https://sandbox.vtpass.com/resources/products/200X200/MTN-Data.jpg",
            },
            {
                "serviceID": "smile-direct",
                "name": "Smile Payment",
                "minimium_amount": 100,
                "maximum_amount": 150000,
                "convinience_fee": "N0.00",
                "product_type": "flexible",
            },
            {"serviceID": "odd", "minimum_amount": "N/A", "maximum_amount": None},
        ],
    }
    mtn, smile, odd = parse_services(body, "data")
    assert mtn == Service(
        service_id="mtn-data",
        name="MTN Data",
        category="data",
        product_type="fix",
        min_amount=Kobo(100),
        max_amount=Kobo(100_000_000),
        convenience_fee="0 %",
        image="https://sandbox.vtpass.com/resources/products/200X200/MTN-Data.jpg",
    )
    assert (smile.min_amount, smile.max_amount, smile.product_type) == (
        10_000,
        15_000_000,
        "flexible",
    )
    assert (odd.name, odd.min_amount, odd.max_amount, odd.convenience_fee) == (
        "odd",
        None,
        None,
        "",
    )


def _variations_body(**content: Any) -> dict[str, Any]:
    return {
        "response_description": "000",
        "content": {"ServiceName": "MTN Data", "serviceID": "mtn-data", **content},
    }


PLANS = [
    {
        "variation_code": "mtn-10mb-100",
        "name": "N100 100MB",
        "variation_amount": "100.00",
        "fixedPrice": "Yes",
    },
    {
        "variation_code": "vt-1000",
        "name": "Spectranet 1000",
        "variation_amount": 1000,
        "fixedPrice": "Yes",
    },
    {"variation_code": 516, "name": "Smile 510", "variation_amount": "510.00", "fixedPrice": "No"},
]
EXPECTED = [
    Variation("mtn-10mb-100", "N100 100MB", Kobo(10_000), True),
    Variation("vt-1000", "Spectranet 1000", Kobo(100_000), True),
    Variation("516", "Smile 510", Kobo(51_000), False),
]


@pytest.mark.parametrize(
    "content",
    [
        {"variations": PLANS, "varations": PLANS},  # current pages: both keys
        {"varations": PLANS},  # old pages: only the misspelt one
        {"variations": PLANS},
        {"variations": [], "varations": PLANS},
        {"variations": json.dumps(PLANS)},
    ],
)
def test_variations_from_either_key(content):
    assert parse_variations(_variations_body(**content)) == EXPECTED


def test_variations_of_a_free_amount_service_are_empty():
    assert parse_variations(_variations_body(variations=[], varations=[])) == []
    assert parse_variations(_variations_body()) == []


def test_variation_without_amount_is_a_free_amount_plan():
    body = _variations_body(variations=[{"variation_code": "intl", "name": "Intl"}])
    assert parse_variations(body) == [Variation("intl", "Intl", Kobo(0), False)]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"response_description": "011", "content": []}, "011"),
        ({"response_description": "012", "content": {"errors": "PRODUCT DOES NOT EXIST"}}, "012"),
        ({"code": "087", "response_description": "INVALID CREDENTIALS"}, "087"),
    ],
)
def test_catalogue_refusals_raise_with_the_code(body, code):
    with pytest.raises(UpstreamRejected) as info:
        parse_variations(body)
    assert info.value.upstream_code == code
    with pytest.raises(UpstreamRejected):
        parse_categories(body)


def test_catalogue_refusal_message_uses_the_words_vtpass_gave():
    body = {"response_description": "012", "content": {"errors": "PRODUCT DOES NOT EXIST"}}
    with pytest.raises(UpstreamRejected, match="PRODUCT DOES NOT EXIST"):
        parse_variations(body)


@pytest.mark.parametrize(
    "body",
    [b"<html>502</html>", b"", [1], {"response_description": "000", "content": "nope"}],
)
def test_unreadable_catalogue_raises_malformed(body):
    with pytest.raises(MalformedResponse):
        parse_categories(body)


def test_decode_json_says_what_it_got():
    with pytest.raises(MalformedResponse, match="HTML"):
        decode_json(b"<!DOCTYPE html><html></html>")
    with pytest.raises(MalformedResponse, match="empty"):
        decode_json(b"")
    assert decode_json(b'{"a": 1}') == {"a": 1}


# --- balance -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kobo"),
    [
        ({"code": 1, "contents": {"balance": 12345.67}}, 1_234_567),
        ({"code": 1, "contents": {"balance": "100000.00"}}, 10_000_000),
        ({"code": "000", "content": {"balance": 0}}, 0),
    ],
)
def test_balance(body, kobo):
    assert parse_balance(body) == kobo


def test_balance_refusal_and_garbage():
    with pytest.raises(UpstreamRejected) as info:
        parse_balance({"code": "087", "response_description": "INVALID CREDENTIALS"})
    assert info.value.upstream_code == "087"
    with pytest.raises(MalformedResponse):
        parse_balance({"code": 1, "contents": {}})


# --- merchant-verify ---------------------------------------------------------------------------

IKEJA_OK: dict[str, Any] = {
    "code": "000",
    "content": {
        "Customer_Name": "TESTMETER1",
        "Address": "ABULE EGBA BU ABULE",
        "Meter_Number": "1111111111111",
        "Customer_Arrears": "",
        "Minimum_Amount": "",
        "Min_Purchase_Amount": "500",
        "Can_Vend": "yes",
        "Business_Unit": "",
        "Customer_Account_Type": "NMD",
        "Meter_Type": "PREPAID",
        "WrongBillersCode": False,
        "commission_details": {"amount": None, "rate": "1.50", "rate_type": "percent"},
    },
}


def test_verify_electricity_success():
    info = parse_customer_info(IKEJA_OK)
    assert info.valid
    assert (info.customer_name, info.address, info.meter_number) == (
        "TESTMETER1",
        "ABULE EGBA BU ABULE",
        "1111111111111",
    )
    assert (info.meter_type, info.account_type, info.min_amount) == ("PREPAID", "NMD", 50_000)
    assert info.error is None


def test_verify_tv_success():
    body = {
        "code": "000",
        "content": {
            "Customer_Name": "TEST METER",
            "Status": "ACTIVE",
            "DUE_DATE": "2025-02-06T00:00:00",
            "Customer_Number": "8061522780",
            "Customer_Type": "DSTV",
            "Current_Bouquet": "DStv Compact",
            "Current_Bouquet_Code": "dstv79",
            "Renewal_Amount": 7900,
        },
    }
    info = parse_customer_info(body)
    assert info.valid
    assert (info.status, info.due_date, info.customer_number) == (
        "ACTIVE",
        "2025-02-06T00:00:00",
        "8061522780",
    )
    assert (info.current_bouquet_code, info.renewal_amount) == ("dstv79", 790_000)


def test_verify_smile_accounts():
    body = {
        "code": "000",
        "content": {
            "Customer_Name": "Tester",
            "AccountList": {
                "Account": [{"AccountId": 1402000567, "FriendlyName": "Home"}],
                "NumberOfAccounts": 1,
            },
        },
    }
    assert parse_customer_info(body).accounts == (("1402000567", "Home"),)


def test_verify_jos_empty_name_with_meter_number_is_valid():
    body = {"code": "000", "content": {"Customer_Name": "", "Address": "", "MeterNumber": "1111"}}
    info = parse_customer_info(body)
    assert info.valid
    assert info.customer_name is None
    assert info.meter_number == "1111"


@pytest.mark.parametrize(
    "content",
    [
        {
            "error": "This meter is not correct or is not a valid Ikeja Electric prepaid meter.",
            "WrongBillersCode": True,
        },
        {
            "error": "This meter is not correct or is not a valid Ikeja Electric prepaid meter.",
            "WrongBillersCode": "true",
        },
        {"error": "The Smartcard/Decoder Number you entered may be invalid."},
    ],
)
def test_verify_failure_is_code_000_with_content_error(content):
    info = parse_customer_info({"code": "000", "content": content})
    assert not info.valid
    assert info.error == content["error"]


@pytest.mark.parametrize("flag", [True, "true", "True", "1"])
def test_wrong_billers_code_alone_marks_invalid(flag):
    body = {"code": "000", "content": {**IKEJA_OK["content"], "WrongBillersCode": flag}}
    info = parse_customer_info(body)
    assert not info.valid
    assert info.error


@pytest.mark.parametrize("flag", [False, "false", "False", "0", None, ""])
def test_wrong_billers_code_false_in_any_spelling_is_valid(flag):
    body = {"code": "000", "content": {**IKEJA_OK["content"], "WrongBillersCode": flag}}
    assert parse_customer_info(body).valid


def test_verify_with_no_details_at_all_is_not_valid():
    info = parse_customer_info({"code": "000", "content": {}})
    assert not info.valid
    assert info.error


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {
                "code": "011",
                "response_description": "INVALID ARGUMENTS",
                "content": {"errors": ["type"]},
            },
            "011",
        ),
        ({"code": "012", "response_description": "PRODUCT DOES NOT EXIST"}, "012"),
        ({"code": "087", "response_description": "INVALID CREDENTIALS"}, "087"),
        ({"code": "030", "response_description": "BILLER NOT REACHABLE AT THIS POINT"}, "030"),
        ({"code": 87}, "087"),
    ],
)
def test_verify_refusals_raise_upstream_rejected(body, code):
    with pytest.raises(UpstreamRejected) as info:
        parse_customer_info(body)
    assert info.value.upstream_code == code


def test_verify_without_code_is_malformed():
    with pytest.raises(MalformedResponse):
        parse_customer_info({"content": {}})


# --- webhooks ----------------------------------------------------------------------------------


def test_webhook_transaction_update_delivered():
    event = parse_webhook(load("webhook_delivered"))
    assert event.kind == "transaction-update"
    assert event.request_id == "202003061830abcdef"
    assert event.result is not None
    assert event.result.outcome is Outcome.DELIVERED
    assert event.result.transaction_date is None  # webhooks send null
    assert event.result.amount == 500


@pytest.mark.parametrize("code", ["000", "040"])
def test_webhook_reversal_with_either_code(code):
    body = load("webhook_delivered")
    body["data"]["code"] = code
    body["data"]["response_description"] = "TRANSACTION REVERSED"
    body["data"]["content"]["transactions"]["status"] = "reversed"
    body["data"]["content"]["transactions"]["wallet_credit_id"] = 123
    event = parse_webhook(json.dumps(body).encode())
    assert event.result is not None
    assert event.result.outcome is Outcome.REVERSED


def test_webhook_variations_update():
    event = parse_webhook(load("webhook_variations"))
    assert (event.kind, event.service_id, event.result, event.request_id) == (
        "variations-update",
        "smile-direct",
        None,
        None,
    )


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>",
        b"[]",
        {"type": "transaction-update"},
        {"type": "transaction-update", "data": 3},
    ],
)
def test_webhook_garbage_raises(body):
    with pytest.raises(MalformedResponse):
        parse_webhook(body)


def test_unknown_webhook_kind_is_passed_on():
    assert parse_webhook({"type": "something-new"}).kind == "something-new"
