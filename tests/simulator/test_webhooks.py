"""Spec §H: when a pending purchase settles or a delivery is reversed, the simulator POSTs a
`transaction-update` to the account's callback URL, retrying until the receiver answers
`{"response":"success"}`, at most 5 times. The `receiver` fixture fails its first N calls."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web

from gateway.vtpass.simulator import start_simulator
from tests.simulator.conftest import Receiver, SimClient

START = Decimal(100000)
AIRTIME = {"serviceID": "mtn", "amount": 100}


async def pending(vt: SimClient) -> str:
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME, phone="201000000000")
    return request_id


async def deliveries(vt: SimClient) -> Any:
    await vt.sim.state.drain_webhooks()
    return (await vt.control("webhooks"))["deliveries"]


@pytest.fixture
async def hooked(vt: SimClient, receiver: Receiver) -> SimClient:
    await vt.control("callback", {"url": receiver.url})
    return vt


async def test_resolving_a_pending_purchase_posts_a_transaction_update(hooked, receiver):
    request_id = await pending(hooked)
    await hooked.control("resolve", {"request_id": request_id, "status": "delivered"})
    await hooked.sim.state.drain_webhooks()
    [body] = receiver.bodies
    data = body["data"]
    assert body["type"] == "transaction-update"
    assert data["code"] == "000"
    assert data["response_description"] == "TRANSACTION DELIVERED"
    assert data["transaction_date"] is None
    assert data["requestId"] == request_id
    assert data["content"]["transactions"]["status"] == "delivered"
    assert data["content"]["transactions"]["method"] == "wallet"


async def test_timer_resolves_pending_to_the_configured_status_and_fires(sim_config, vt, receiver):
    config = replace(sim_config, pending_resolve_after_s=0.05)
    async with start_simulator(config) as sim:
        vt.sim = sim
        await vt.control("callback", {"url": receiver.url})
        request_id = await pending(vt)
        for _ in range(100):
            if sim.state.transactions[request_id].status != "pending":
                break
            await asyncio.sleep(0.01)
        await sim.state.drain_webhooks()
        status = (await vt.stored(request_id))["status"]
    assert status == "delivered"
    assert receiver.bodies[0]["data"]["response_description"] == "TRANSACTION DELIVERED"


async def test_pending_that_fails_credits_the_wallet_back_and_says_failed(
    sim_config, sim_clock, vt, receiver
):
    async with start_simulator(replace(sim_config, pending_final_status="failed")) as sim:
        vt.sim = sim
        await vt.control("callback", {"url": receiver.url})
        request_id = await pending(vt)
        debited = await vt.balance()
        sim_clock.advance(30)
        requery = await vt.requery(request_id)
        await sim.state.drain_webhooks()
        balance = await vt.balance()
    assert debited == START - Decimal("96.50")
    assert balance == START
    assert requery["code"] == "016"
    data = receiver.bodies[0]["data"]
    assert (data["code"], data["response_description"]) == ("016", "TRANSACTION FAILED")


async def test_lazy_resolution_on_requery_also_fires_the_webhook(hooked, receiver, sim_clock):
    request_id = await pending(hooked)
    sim_clock.advance(31)
    await hooked.requery(request_id)
    await hooked.sim.state.drain_webhooks()
    assert [b["data"]["requestId"] for b in receiver.bodies] == [request_id]


async def test_resolving_pending_as_reversed_credits_back(hooked, receiver):
    request_id = await pending(hooked)
    await hooked.control("resolve", {"request_id": request_id, "status": "reversed"})
    await hooked.sim.state.drain_webhooks()
    assert await hooked.balance() == START
    assert receiver.bodies[0]["data"]["response_description"] == "TRANSACTION REVERSED"


async def test_reversal_of_a_delivery_credits_once_and_carries_wallet_credit_id(hooked, receiver):
    request_id = hooked.request_id()
    await hooked.pay(request_id=request_id, **AIRTIME, phone="08011111111")
    first = await hooked.control("reverse", {"request_id": request_id})
    second = await hooked.control("reverse", {"request_id": request_id})
    await hooked.sim.state.drain_webhooks()
    assert first["ok"] is True
    assert "error" in second
    assert await hooked.balance() == START
    [body] = receiver.bodies
    transactions = body["data"]["content"]["transactions"]
    assert transactions["status"] == "reversed"
    assert transactions["wallet_credit_id"]


async def test_receiver_that_never_acknowledges_gets_exactly_five_attempts(hooked, receiver):
    receiver.failures = 100
    await hooked.control("resolve", {"request_id": await pending(hooked), "status": "delivered"})
    [delivery] = await deliveries(hooked)
    assert len(receiver.bodies) == 5
    assert [a["attempt"] for a in delivery["attempts"]] == [1, 2, 3, 4, 5]
    assert [a["http_status"] for a in delivery["attempts"]] == [500] * 5
    assert delivery["acknowledged"] is False
    assert delivery["finished"] is True


async def test_retries_stop_at_the_first_acknowledgement(hooked, receiver):
    receiver.failures = 2
    await hooked.control("resolve", {"request_id": await pending(hooked), "status": "delivered"})
    [delivery] = await deliveries(hooked)
    assert len(receiver.bodies) == 3
    assert [a["acknowledged"] for a in delivery["attempts"]] == [False, False, True]
    assert delivery["acknowledged"] is True


@pytest.mark.parametrize(
    "answer",
    [
        lambda _: web.json_response({"response": "ok"}),
        lambda _: web.Response(text="success"),
        lambda _: web.json_response({"status": "success"}),
        lambda _: web.json_response({"response": "success"}, status=302, headers={"Location": "/"}),
    ],
)
async def test_only_a_2xx_json_response_success_acknowledges(hooked, receiver, answer):
    receiver.answer = answer
    await hooked.control("resolve", {"request_id": await pending(hooked), "status": "delivered"})
    [delivery] = await deliveries(hooked)
    assert len(delivery["attempts"]) == 5
    assert delivery["acknowledged"] is False


async def test_any_2xx_with_the_success_body_acknowledges(hooked, receiver):
    receiver.answer = lambda _: web.json_response({"response": "success"}, status=202)
    await hooked.control("resolve", {"request_id": await pending(hooked), "status": "delivered"})
    [delivery] = await deliveries(hooked)
    assert delivery["acknowledged"] is True


async def test_unreachable_callback_records_connection_errors(vt):
    await vt.control("callback", {"url": "http://127.0.0.1:9/unreachable"})
    await vt.control("resolve", {"request_id": await pending(vt), "status": "delivered"})
    [delivery] = await deliveries(vt)
    assert len(delivery["attempts"]) == 5
    assert all(a["error"] and a["http_status"] is None for a in delivery["attempts"])


async def test_no_callback_url_means_no_webhook(vt):
    await vt.control("resolve", {"request_id": await pending(vt), "status": "delivered"})
    assert await deliveries(vt) == []


async def test_purchases_answered_directly_send_no_webhook(hooked, receiver):
    await hooked.pay(**AIRTIME, phone="08011111111")
    await hooked.pay(**AIRTIME, phone="08031234567")
    assert await deliveries(hooked) == []


async def test_variations_update_replaces_plans_and_notifies(hooked, receiver):
    new = [
        {"variation_code": "516", "name": "SmileVoice ONLY 65", "variation_amount": "520.00"},
        {
            "variation_code": "413",
            "name": "1GB FlexiDaily for 1 day - 1020 Naira",
            "variation_amount": "1020.00",
        },
        {"variation_code": "900", "name": "Brand new plan", "variation_amount": "2500.00"},
    ]
    await hooked.control("variations-update", {"serviceID": "smile-direct", "new_variations": new})
    await hooked.sim.state.drain_webhooks()
    plans = (await hooked.get("service-variations", serviceID="smile-direct"))["content"]
    [body] = receiver.bodies
    assert [p["variation_code"] for p in plans["variations"]] == ["516", "413", "900"]
    assert body["type"] == "variations-update"
    assert body["response_description"] == "VARIATION CODE UPDATE"
    assert body["serviceID"] == "smile-direct"
    assert body["service"] == "Smile Payment"
    assert body["summary"] == {
        "added_variation_codes": 1,
        "updated_variation_codes": 1,
        "removed_variation_codes": 8,
    }
    assert body["actionRequired"]["added"] == {"total": 1, "variation_codes": ["900"]}
    assert body["actionRequired"]["updated"] == {"total": 1, "variation_codes": ["516"]}
    assert body["data"]["content"]["varations"] == plans["variations"]


async def test_removed_plans_can_no_longer_be_bought(vt):
    new = [{"variation_code": "glo1000", "name": "Glo 1000", "variation_amount": "1000"}]
    await vt.control("variations-update", {"serviceID": "glo-data", "new_variations": new})
    body = await vt.pay(
        serviceID="glo-data",
        variation_code="glo100",
        billersCode="08011111111",
        phone="08011111111",
    )
    assert body["code"] == "010"
