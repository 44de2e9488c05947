"""Spec §I: the test-only `/__sim/` control API."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

AIRTIME = {"serviceID": "mtn", "amount": 100}


async def test_reset_forgets_transactions_and_restores_the_wallet(vt):
    await vt.pay(**AIRTIME, phone="08011111111")
    await vt.control("balance", {"balance": 5})
    await vt.control("reset")
    assert await vt.stored_count() == 0
    assert await vt.balance() == 100000


async def test_reset_frees_request_ids(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME, phone="08011111111")
    await vt.control("reset")
    assert (await vt.pay(request_id=request_id, **AIRTIME, phone="08011111111"))["code"] == "000"


async def test_reset_restores_whitelist_callback_latency_and_plans(vt, receiver):
    await vt.control("whitelist", {"products": ["glo"]})
    await vt.control("callback", {"url": receiver.url})
    await vt.control("latency", {"seconds": 0.2})
    new = [{"variation_code": "x", "name": "X", "variation_amount": 1}]
    await vt.control("variations-update", {"serviceID": "glo-data", "new_variations": new})
    await vt.sim.state.drain_webhooks()
    await vt.control("reset")
    [account] = (await vt.control("accounts"))["accounts"]
    plans = (await vt.get("service-variations", serviceID="glo-data"))["content"]["variations"]
    assert account["whitelist"] is None
    assert account["callback_url"] is None
    assert vt.sim.state.latency_s == 0
    assert plans[0]["variation_code"] == "glo100"
    assert (await vt.control("webhooks"))["deliveries"] == []


async def test_reset_cancels_pending_timers(vt):
    await vt.pay(**AIRTIME, phone="201000000000")
    await vt.control("reset")
    assert vt.sim.state.transactions == {}


async def test_clock_moves_the_date_request_ids_must_carry(vt):
    moved = await vt.control("clock", {"iso": "2027-01-15T08:00:00+01:00"})
    body = await vt.pay(request_id="202701150800abc", **AIRTIME, phone="08011111111")
    assert datetime.fromisoformat(moved["now"]) == datetime(2027, 1, 15, 7, tzinfo=UTC)
    assert body["code"] == "000"


async def test_clock_moves_the_injected_fixed_clock(vt, sim_clock):
    await vt.control("clock", {"iso": "2027-01-15T07:00:00Z"})
    assert sim_clock.now().isoformat() == "2027-01-15T07:00:00+00:00"


@pytest.mark.parametrize("iso", ["yesterday", "2027-01-15T07:00:00"])
async def test_clock_rejects_bad_or_naive_times(vt, iso):
    response = await vt.http.post(f"{vt.sim.root_url}__sim/clock", json={"iso": iso})
    assert response.status_code == 400


async def test_balance_sets_the_wallet(vt):
    await vt.control("balance", {"balance": "2500.75"})
    assert await vt.balance() == Decimal("2500.75")


async def test_balance_for_an_unknown_account_is_404(vt):
    response = await vt.http.post(
        f"{vt.sim.root_url}__sim/balance", json={"api_key": "nobody", "balance": 1}
    )
    assert response.status_code == 404


async def test_whitelist_null_enables_every_product_again(vt):
    await vt.control("whitelist", {"products": []})
    blocked = await vt.pay(**AIRTIME, phone="08011111111")
    await vt.control("whitelist", {"products": None})
    allowed = await vt.pay(**AIRTIME, phone="08011111111")
    assert (blocked["code"], allowed["code"]) == ("028", "000")


async def test_latency_delays_every_api_call(vt):
    await vt.control("latency", {"seconds": 0.3})
    started = time.monotonic()
    await vt.get("service-categories")
    assert time.monotonic() - started >= 0.3


async def test_latency_does_not_delay_the_control_api(vt):
    await vt.control("latency", {"seconds": 5})
    started = time.monotonic()
    await vt.control("transactions")
    assert time.monotonic() - started < 1


async def test_transactions_can_be_filtered_by_request_id(vt):
    wanted = vt.request_id()
    await vt.pay(request_id=wanted, **AIRTIME, phone="08011111111")
    await vt.pay(**AIRTIME, phone="08011111111")
    response = await vt.http.get(
        f"{vt.sim.root_url}__sim/transactions", params={"request_id": wanted}
    )
    assert [r["request_id"] for r in response.json()["transactions"]] == [wanted]


async def test_transactions_show_amounts_and_scenario(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME, phone="500000000000")
    row = await vt.stored(request_id)
    assert row["scenario"] == "unexpected"
    assert row["status"] == "pending"
    assert (row["amount"], row["commission"], row["total_amount"]) == (100, 3.5, 96.5)


async def test_resolve_of_a_settled_transaction_is_409(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME, phone="08011111111")
    response = await vt.http.post(
        f"{vt.sim.root_url}__sim/resolve", json={"request_id": request_id, "status": "failed"}
    )
    assert response.status_code == 409
    assert (await vt.stored(request_id))["status"] == "delivered"


async def test_resolve_of_an_unknown_request_id_is_404(vt):
    response = await vt.http.post(
        f"{vt.sim.root_url}__sim/resolve", json={"request_id": "nope", "status": "delivered"}
    )
    assert response.status_code == 404


async def test_resolve_needs_a_final_status(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME, phone="201000000000")
    response = await vt.http.post(
        f"{vt.sim.root_url}__sim/resolve", json={"request_id": request_id, "status": "pending"}
    )
    assert response.status_code == 400


async def test_resolve_to_delivered_adds_the_token(vt):
    request_id = vt.request_id()
    await vt.pay(
        request_id=request_id,
        serviceID="eko-electric",
        billersCode="201000000000",
        variation_code="prepaid",
        amount=1000,
        phone="08031234567",
    )
    await vt.control("resolve", {"request_id": request_id, "status": "delivered"})
    body = await vt.requery(request_id)
    assert body["purchased_code"].startswith("Token : ")


async def test_reverse_of_a_pending_transaction_is_409(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME, phone="201000000000")
    response = await vt.http.post(
        f"{vt.sim.root_url}__sim/reverse", json={"request_id": request_id}
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    "body",
    [{}, {"code": "083", "http_status": 1000}, {"code": "083", "store_as": "maybe"}],
)
async def test_next_pay_rejects_bad_settings(vt, body):
    response = await vt.http.post(f"{vt.sim.root_url}__sim/next-pay", json=body)
    assert response.status_code == 400


async def test_next_pay_can_queue_several_answers_with_a_custom_body(vt):
    await vt.control(
        "next-pay",
        {"code": "034", "http_status": 200, "body": {"code": "034"}, "times": 2},
    )
    first = await vt.pay(**AIRTIME, phone="08011111111")
    second = await vt.pay(**AIRTIME, phone="08011111111")
    third = await vt.pay(**AIRTIME, phone="08011111111")
    assert [first["code"], second["code"], third["code"]] == ["034", "034", "000"]


async def test_callback_needs_an_http_url(vt):
    response = await vt.http.post(f"{vt.sim.root_url}__sim/callback", json={"url": "ftp://x"})
    assert response.status_code == 400


async def test_control_api_needs_no_credentials(vt):
    response = await vt.http.get(f"{vt.sim.root_url}__sim/transactions")
    assert response.status_code == 200
