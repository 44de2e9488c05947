"""Spec §E step 10: the sandbox numbers decide the answer, the stored state and the wallet.

Wallet figures: ₦100 of MTN airtime earns 3.5% commission, so `total_amount` is ₦96.50.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.vtpass.simulator import start_simulator

START = Decimal(100000)
AIRTIME = {"serviceID": "mtn", "amount": 100}


def airtime(phone: str) -> dict[str, Any]:
    return {**AIRTIME, "phone": phone}


async def test_success_number_is_delivered_with_the_full_envelope(vt):
    request_id = vt.request_id()
    body = await vt.pay(request_id=request_id, **airtime("08011111111"))
    assert body == {
        "code": "000",
        "content": {
            "transactions": {
                "status": "delivered",
                "product_name": "MTN Airtime VTU",
                "unique_element": "08011111111",
                "unit_price": "100",
                "quantity": 1,
                "service_verification": None,
                "channel": "api",
                "commission": 3.5,
                "total_amount": 96.5,
                "discount": None,
                "type": "Airtime Recharge",
                "email": "sandbox@sandbox.vtpass.com",
                "phone": "123450987623",
                "name": None,
                "convinience_fee": 0,
                "amount": "100",
                "platform": "api",
                "method": "api",
                "transactionId": body["content"]["transactions"]["transactionId"],
                "commission_details": {
                    "amount": 3.5,
                    "rate": "3.50",
                    "rate_type": "percent",
                    "computation_type": "default",
                },
            }
        },
        "response_description": "TRANSACTION SUCCESSFUL",
        "requestId": request_id,
        "amount": 100,
        "transaction_date": "2026-11-27T10:00:00.000000Z",
        "purchased_code": "",
    }


async def test_success_is_stored_delivered_and_debits_total_amount(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **airtime("08011111111"))
    assert (await vt.stored(request_id))["status"] == "delivered"
    assert await vt.balance() == START - Decimal("96.50")


async def test_transaction_id_is_epoch_millis_plus_13_random_digits(vt, sim_clock):
    body = await vt.pay(**airtime("08011111111"))
    transaction_id = body["content"]["transactions"]["transactionId"]
    assert re.fullmatch(r"\d{26}", transaction_id)
    assert int(transaction_id[:13]) == int(sim_clock.now().timestamp() * 1000)


async def test_transaction_ids_differ(vt):
    first = await vt.pay(**airtime("08011111111"))
    second = await vt.pay(**airtime("08011111111"))
    ids = {b["content"]["transactions"]["transactionId"] for b in (first, second)}
    assert len(ids) == 2


async def test_pending_number_answers_processing_pending(vt):
    body = await vt.pay(**airtime("201000000000"))
    assert body["code"] == "000"
    assert body["response_description"] == "TRANSACTION PROCESSING - PENDING"
    assert body["content"]["transactions"]["status"] == "pending"
    assert body["purchased_code"] == ""


async def test_pending_number_is_stored_pending_and_debited(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **airtime("201000000000"))
    assert (await vt.stored(request_id))["status"] == "pending"
    assert await vt.balance() == START - Decimal("96.50")


async def test_unexpected_number_answers_weird_json_without_content(vt):
    request_id = vt.request_id()
    body = await vt.pay(request_id=request_id, **airtime("500000000000"))
    assert body == {"code": "000", "response_description": "UNEXPECTED RESPONSE"}
    assert (await vt.stored(request_id))["status"] == "pending"
    assert await vt.balance() == START - Decimal("96.50")


async def test_unexpected_number_in_html_mode_answers_a_502_page(sim_config, vt):
    async with start_simulator(replace(sim_config, unexpected_mode="html")) as sim:
        response = await vt.http.post(
            sim.base_url + "pay",
            headers=vt.post_headers,
            json={"request_id": vt.request_id(), **airtime("500000000000")},
        )
        stored = sim.state.transactions
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text
    assert [t.status for t in stored.values()] == ["pending"]


async def test_unexpected_number_in_unknown_code_mode_answers_777(sim_config, vt):
    async with start_simulator(replace(sim_config, unexpected_mode="unknown_code")) as sim:
        vt.sim = sim
        assert await vt.pay(**airtime("500000000000")) == {"code": "777"}


async def test_no_response_number_closes_the_connection_unanswered(vt):
    request_id = vt.request_id()
    with pytest.raises(httpx.RemoteProtocolError):
        await vt.pay(request_id=request_id, **airtime("400000000000"))
    assert (await vt.stored(request_id))["status"] == "pending"
    assert await vt.balance() == START - Decimal("96.50")


async def test_no_response_number_in_empty_mode_answers_an_empty_200(sim_config, vt):
    async with start_simulator(replace(sim_config, no_response_mode="empty")) as sim:
        response = await vt.http.post(
            sim.base_url + "pay",
            headers=vt.post_headers,
            json={"request_id": vt.request_id(), **airtime("400000000000")},
        )
    assert response.status_code == 200
    assert response.content == b""


async def test_timeout_number_answers_pending_after_the_delay(vt, sim_config):
    started = time.monotonic()
    body = await vt.pay(**airtime("300000000000"))
    assert time.monotonic() - started >= sim_config.timeout_delay_s
    assert body["response_description"] == "TRANSACTION PROCESSING - PENDING"


async def test_timeout_number_is_stored_before_the_answer(vt):
    request_id = vt.request_id()
    paying = asyncio.create_task(vt.pay(request_id=request_id, **airtime("300000000000")))
    await asyncio.sleep(0.2)
    requery = await vt.requery(request_id)
    await paying
    assert requery["code"] == "000"
    assert requery["content"]["transactions"]["status"] == "pending"


async def test_timeout_is_seen_by_a_client_with_a_shorter_read_timeout(vt):
    request_id = vt.request_id()
    with pytest.raises(httpx.ReadTimeout):
        await vt.http.post(
            vt.sim.base_url + "pay",
            headers=vt.post_headers,
            json={"request_id": request_id, **airtime("300000000000")},
            timeout=httpx.Timeout(5.0, read=0.1),
        )
    assert (await vt.stored(request_id))["status"] == "pending"


async def test_any_other_number_fails_with_016(vt):
    request_id = vt.request_id()
    body = await vt.pay(request_id=request_id, **airtime("08031234567"))
    assert body["code"] == "016"
    assert body["response_description"] == "TRANSACTION FAILED"
    assert body["content"]["transactions"]["status"] == "failed"
    assert body["requestId"] == request_id


async def test_failure_is_stored_and_not_debited(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **airtime("08031234567"))
    assert (await vt.stored(request_id))["status"] == "failed"
    assert await vt.balance() == START


@pytest.mark.parametrize(
    ("phone", "billers_code", "expected"),
    [("08011111111", "08031234567", "000"), ("08031234567", "08011111111", "016")],
)
async def test_data_scenario_is_keyed_on_phone(vt, phone, billers_code, expected):
    body = await vt.pay(
        serviceID="glo-data", variation_code="glo100", phone=phone, billersCode=billers_code
    )
    assert body["code"] == expected


@pytest.mark.parametrize(
    ("meter", "meter_type", "expected"),
    [
        ("1111111111111", "prepaid", "000"),
        ("1010101010101", "postpaid", "000"),
        ("1111111111111", "postpaid", "016"),
        ("1010101010101", "prepaid", "016"),
        ("201000000000", "prepaid", "000"),
    ],
)
async def test_electricity_scenario_is_keyed_on_meter_and_type(vt, meter, meter_type, expected):
    body = await vt.pay(
        serviceID="abuja-electric",
        billersCode=meter,
        variation_code=meter_type,
        amount=1000,
        phone="08031234567",
    )
    assert body["code"] == expected


async def test_tv_scenario_is_keyed_on_smartcard(vt):
    body = {"serviceID": "gotv", "variation_code": "gotv-jolli", "subscription_type": "change"}
    good = await vt.pay(**body, billersCode="1212121212", phone="08031234567")
    bad = await vt.pay(**body, billersCode="7000000001", phone="08011111111")
    assert (good["code"], bad["code"]) == ("000", "016")


async def test_jamb_succeeds_for_any_profile(vt):
    body = await vt.pay(
        serviceID="jamb", variation_code="de", billersCode="5555555555", phone="08031234567"
    )
    assert body["content"]["transactions"]["status"] == "delivered"


async def test_jamb_with_a_scenario_number_follows_it(vt):
    body = await vt.pay(
        serviceID="jamb", variation_code="de", billersCode="201000000000", phone="08031234567"
    )
    assert body["content"]["transactions"]["status"] == "pending"


async def test_waec_with_a_scenario_phone_follows_it(vt):
    body = await vt.pay(serviceID="waec", variation_code="waecdirect", phone="201000000000")
    assert body["content"]["transactions"]["status"] == "pending"


async def test_legacy_date_format_is_the_2019_object_in_lagos_time(sim_config, vt):
    async with start_simulator(replace(sim_config, response_date_format="legacy_object")) as sim:
        vt.sim = sim
        body = await vt.pay(**airtime("08011111111"))
    assert body["transaction_date"] == {
        "date": "2026-11-27 11:00:00.000000",
        "timezone_type": 3,
        "timezone": "Africa/Lagos",
    }


async def test_next_pay_can_answer_083_http_500_over_a_delivered_purchase(vt):
    await vt.control("next-pay", {"code": "083"})
    request_id = vt.request_id()
    response = await vt.http.post(
        vt.sim.base_url + "pay",
        headers=vt.post_headers,
        json={"request_id": request_id, **airtime("08031234567")},
    )
    assert response.status_code == 500
    assert response.json() == {"code": "083", "content": {"errors": []}}
    assert (await vt.stored(request_id))["status"] == "delivered"
    assert await vt.balance() == START - Decimal("96.50")


@pytest.mark.parametrize("code", ["089", "099"])
async def test_next_pay_processing_codes_store_a_pending_purchase(vt, code):
    await vt.control("next-pay", {"code": code})
    request_id = vt.request_id()
    body = await vt.pay(request_id=request_id, **airtime("08011111111"))
    assert body["code"] == code
    assert (await vt.stored(request_id))["status"] == "pending"


async def test_next_pay_is_used_once(vt):
    await vt.control("next-pay", {"code": "083"})
    await vt.pay(**airtime("08011111111"))
    assert (await vt.pay(**airtime("08011111111")))["code"] == "000"


async def test_next_pay_waits_for_a_valid_pay(vt):
    await vt.control("next-pay", {"code": "083"})
    rejected = await vt.pay(**{**airtime("08011111111"), "serviceID": "nope"})
    forced = await vt.pay(**airtime("08011111111"))
    assert (rejected["code"], forced["code"]) == ("012", "083")


async def test_next_pay_with_store_as_none_stores_nothing(vt):
    await vt.control("next-pay", {"code": "083", "store_as": "none"})
    await vt.pay(**airtime("08011111111"))
    assert await vt.stored_count() == 0
    assert await vt.balance() == START


async def test_wallet_is_debited_exactly_once_per_charged_transaction(vt):
    phones = ["08011111111", "201000000000", "500000000000", "300000000000", "08031234567"]
    for phone in phones:
        await vt.pay(**airtime(phone))
    with pytest.raises(httpx.RemoteProtocolError):
        await vt.pay(**airtime("400000000000"))
    rows = (await vt.control("transactions"))["transactions"]
    charged = sum(Decimal(str(r["total_amount"])) for r in rows if r["status"] != "failed")
    assert len(rows) == 6
    assert await vt.balance() == START - charged == START - 5 * Decimal("96.50")


async def test_concurrent_pays_are_each_stored_and_debited_once(vt):
    request_ids = [vt.request_id() for _ in range(100)]
    bodies = await asyncio.gather(
        *(vt.pay(request_id=r, **airtime("08011111111")) for r in request_ids)
    )
    assert {b["code"] for b in bodies} == {"000"}
    assert await vt.stored_count() == 100
    assert await vt.balance() == START - 100 * Decimal("96.50")


async def test_concurrent_reuse_of_one_request_id_stores_once(vt):
    request_id = vt.request_id()
    bodies = await asyncio.gather(
        *(vt.pay(request_id=request_id, **airtime("08011111111")) for _ in range(20))
    )
    assert sorted(b["code"] for b in bodies) == ["000"] + ["014"] * 19
    assert await vt.balance() == START - Decimal("96.50")


async def test_clock_drives_transaction_date(vt, sim_clock):
    sim_clock.set(datetime(2026, 11, 27, 15, 45, 12, tzinfo=UTC))
    body = await vt.pay(**airtime("08011111111"))
    assert body["transaction_date"] == "2026-11-27T15:45:12.000000Z"
