"""Spec §G: requery returns the stored transaction in its requery shape, for every state, and
applies a pending resolution that fell due before answering."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from gateway.vtpass.simulator import start_simulator
from tests.simulator.conftest import SimClient

AIRTIME = {"serviceID": "mtn", "amount": 100}
PREPAID = {
    "serviceID": "ikeja-electric",
    "billersCode": "1111111111111",
    "variation_code": "prepaid",
    "amount": 2000,
    "phone": "08031234567",
}


async def paid(vt: SimClient, **body: Any) -> str:
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **body)
    return request_id


async def test_delivered_requery_is_successful_with_numbers_and_wallet_method(vt):
    request_id = await paid(vt, **AIRTIME, phone="08011111111")
    body = await vt.requery(request_id)
    transactions = body["content"]["transactions"]
    assert (body["code"], body["response_description"]) == ("000", "TRANSACTION SUCCESSFUL")
    assert transactions["status"] == "delivered"
    assert transactions["amount"] == 100
    assert transactions["unit_price"] == 100
    assert transactions["method"] == "wallet"
    assert transactions["product_id"] == 1
    assert transactions["extras"] is None
    assert body["requestId"] == request_id


async def test_delivered_electricity_requery_carries_the_token(vt):
    request_id = vt.request_id()
    paid_body = await vt.pay(request_id=request_id, **PREPAID)
    body = await vt.requery(request_id)
    assert body["content"]["transactions"]["extras"] == paid_body["purchased_code"]
    assert body["purchased_code"] == paid_body["purchased_code"]
    assert body["token"] == paid_body["token"]


async def test_pending_requery_is_processing(vt):
    body = await vt.requery(await paid(vt, **AIRTIME, phone="201000000000"))
    assert (body["code"], body["response_description"]) == (
        "000",
        "TRANSACTION PROCESSING - PENDING",
    )
    assert body["content"]["transactions"]["status"] == "pending"


async def test_failed_requery_is_016(vt):
    body = await vt.requery(await paid(vt, **AIRTIME, phone="08031234567"))
    assert (body["code"], body["response_description"]) == ("016", "TRANSACTION FAILED")
    assert body["content"]["transactions"]["status"] == "failed"


async def test_reversed_requery_is_000_transaction_reversed(vt):
    request_id = await paid(vt, **AIRTIME, phone="08011111111")
    await vt.control("reverse", {"request_id": request_id})
    body = await vt.requery(request_id)
    assert (body["code"], body["response_description"]) == ("000", "TRANSACTION REVERSED")
    assert body["content"]["transactions"]["status"] == "reversed"


async def test_reversed_requery_can_be_040(sim_config, vt):
    async with start_simulator(replace(sim_config, reversed_code="040")) as sim:
        vt.sim = sim
        request_id = await paid(vt, **AIRTIME, phone="08011111111")
        await vt.control("reverse", {"request_id": request_id})
        body = await vt.requery(request_id)
    assert (body["code"], body["response_description"]) == ("040", "TRANSACTION REVERSAL")


async def test_unknown_request_id_is_015(vt):
    assert await vt.requery("202611271100neverpaid") == {
        "code": "015",
        "response_description": "INVALID REQUEST ID",
        "content": {"errors": []},
    }


async def test_missing_request_id_is_011(vt):
    body = await vt.post("requery", {})
    assert body["code"] == "011"
    assert body["content"]["errors"] == ["request_id"]


async def test_requery_is_idempotent(vt):
    request_id = await paid(vt, **AIRTIME, phone="201000000000")
    assert await vt.requery(request_id) == await vt.requery(request_id)


async def test_requery_does_not_touch_the_wallet(vt):
    request_id = await paid(vt, **AIRTIME, phone="08011111111")
    balance = await vt.balance()
    await vt.requery(request_id)
    assert await vt.balance() == balance


async def test_pending_is_resolved_lazily_once_due(vt, sim_clock):
    request_id = await paid(vt, **AIRTIME, phone="201000000000")
    sim_clock.advance(29)
    before = await vt.requery(request_id)
    sim_clock.advance(1)
    after = await vt.requery(request_id)
    assert before["content"]["transactions"]["status"] == "pending"
    assert after["content"]["transactions"]["status"] == "delivered"
    assert after["response_description"] == "TRANSACTION SUCCESSFUL"


async def test_manual_resolution_never_resolves_lazily(sim_config, sim_clock, vt):
    async with start_simulator(replace(sim_config, pending_resolve_after_s=None)) as sim:
        vt.sim = sim
        request_id = await paid(vt, **AIRTIME, phone="201000000000")
        sim_clock.advance(3600)
        body = await vt.requery(request_id)
    assert body["content"]["transactions"]["status"] == "pending"


@pytest.mark.parametrize("phone", ["201000000000", "500000000000", "300000000000"])
async def test_every_accepted_scenario_requeries_as_000(vt, phone):
    body = await vt.requery(await paid(vt, **AIRTIME, phone=phone))
    assert body["code"] == "000"


async def test_no_response_scenario_requeries_as_000(vt):
    request_id = vt.request_id()
    with pytest.raises(httpx.RemoteProtocolError):
        await vt.pay(request_id=request_id, **AIRTIME, phone="400000000000")
    assert (await vt.requery(request_id))["code"] == "000"


async def test_requery_keeps_the_original_transaction_date(vt, sim_clock):
    request_id = await paid(vt, **AIRTIME, phone="08011111111")
    sim_clock.advance(3600)
    assert (await vt.requery(request_id))["transaction_date"] == "2026-11-27T10:00:00.000000Z"
