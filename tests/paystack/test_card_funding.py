"""Card checkout: started by the API under our reference, credited once, only when verified."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway.paystack.fees import card_fee
from gateway.phones import normalize_phone
from gateway.store import chat_links
from gateway.store.tables import Outbox
from gateway.texts.telegram import ChatMessage
from tests.paystack.conftest import N


async def test_a_paid_checkout_credits_the_wallet_once_with_a_receipt(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    assert started["status"] == "open"
    assert started["checkout_url"].startswith(funding.sim.base_url + "/checkout/")

    await funding.pay(started["reference"])
    await funding.settle()

    assert await funding.balance(auth) == 5_000 * N
    assert await funding.credits() == 1
    assert await funding.receipts() == ["PayLink: wallet funded N5,000. New balance: N5,000."]
    assert (await funding.funding(auth, started["reference"]))["status"] == "credited"
    await funding.reconciled()


async def test_a_user_with_a_linked_chat_gets_the_receipt_there_with_its_sms(funding):
    auth = await funding.user("08031234567")
    async with funding.db.begin() as session:
        phone = normalize_phone("08031234567")
        await chat_links.link(session, "telegram", "777", "777", phone, now=funding.clock.now())
    started = await funding.start(auth, 5_000)

    await funding.pay(started["reference"])
    await funding.settle()

    async with funding.db() as session:
        rows = (
            await session.execute(
                select(Outbox.channel, Outbox.body).where(Outbox.body.like("%allet funded%"))
            )
        ).all()
    [(channel, body)] = rows
    assert channel == "telegram"
    chat = ChatMessage.parse(body)
    assert chat.html == "<b>Wallet funded: ₦5,000.00</b>\nNew balance: ₦5,000.00"
    assert chat.fallback == ("PayLink: wallet funded N5,000. New balance: N5,000.",)


async def test_a_declined_card_credits_nothing_and_the_return_page_says_failed(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)

    await funding.pay(started["reference"], "failed")
    await funding.settle()
    shown = await funding.funding(auth, started["reference"])

    assert shown["status"] == "failed"
    assert await funding.balance(auth) == 0
    assert await funding.credits() == 0
    await funding.reconciled()


async def test_the_return_page_credits_a_paid_checkout_whose_webhook_has_not_come(funding):
    auth = await funding.user()
    started = await funding.start(auth, 2_000)
    await funding.sim_post("webhooks", {"mode": "drop"})

    await funding.pay(started["reference"])
    shown = await funding.funding(auth, started["reference"])

    assert shown["status"] == "credited"
    assert await funding.balance(auth) == 2_000 * N
    await funding.reconciled()


async def test_the_reference_is_stored_before_paystack_is_called(funding):
    auth = await funding.user()
    await funding.sim_post("faults", {"path": "/transaction/initialize", "status": 503})

    response = await funding.client.post(
        "/api/v1/wallet/fundings",
        json={"amount": 5_000 * N},
        headers={**auth, "Idempotency-Key": "fund-key-lost"},
    )
    assert response.status == 502
    retried = await funding.start(auth, 5_000, key="fund-key-lost")

    assert retried["checkout_url"] is not None
    assert await funding.status_of(retried["reference"]) == "open"


async def test_the_same_idempotency_key_answers_the_same_funding(funding):
    auth = await funding.user()
    first = await funding.start(auth, 5_000, key="same-key-0001")
    again = await funding.start(auth, 5_000, key="same-key-0001")

    assert again["reference"] == first["reference"]
    other = await funding.client.post(
        "/api/v1/wallet/fundings",
        json={"amount": 6_000 * N},
        headers={**auth, "Idempotency-Key": "same-key-0001"},
    )
    assert other.status == 409


async def test_a_funding_below_the_minimum_is_refused(funding):
    auth = await funding.user()
    response = await funding.client.post(
        "/api/v1/wallet/fundings",
        json={"amount": 50 * N},
        headers={**auth, "Idempotency-Key": "k" * 8},
    )
    assert response.status == 422


@pytest.mark.parametrize("funding_env", [{"PAYLINK_FUNDING_MAX": "20000"}])
async def test_a_funding_above_the_maximum_is_refused_before_paystack_is_called(funding):
    auth = await funding.user()
    response = await funding.client.post(
        "/api/v1/wallet/fundings",
        json={"amount": 20_001 * N},
        headers={**auth, "Idempotency-Key": "k" * 8},
    )

    assert response.status == 422
    assert (await response.json())["error"]["code"] == "funding_limit_exceeded"
    assert funding.sim.state.transactions == {}


@pytest.mark.parametrize("funding_env", [{"PAYLINK_FUNDING_DAILY_LIMIT": "10000"}])
async def test_the_daily_limit_counts_open_and_credited_fundings(funding):
    auth = await funding.user()
    await funding.start(auth, 6_000, key="day-key-0001")

    response = await funding.client.post(
        "/api/v1/wallet/fundings",
        json={"amount": 5_000 * N},
        headers={**auth, "Idempotency-Key": "day-key-0002"},
    )

    assert response.status == 422
    assert (await response.json())["error"]["code"] == "funding_limit_exceeded"


@pytest.mark.parametrize("funding_env", [{"PAYLINK_FUNDING_FEE_BEARER": "customer"}])
async def test_the_customer_bearing_the_fee_sees_and_gets_the_amount_less_it(funding):
    auth = await funding.user()
    quote = await funding.client.get(
        "/api/v1/wallet/funding-quote", params={"amount": 5_000 * N}, headers=auth
    )
    shown = await quote.json()
    assert shown["fee"]["kobo"] == card_fee(5_000 * N) == 17_500
    assert shown["credit_amount"]["formatted"] == "₦4,825.00"

    started = await funding.start(auth, 5_000)
    await funding.pay(started["reference"])
    await funding.settle()

    assert await funding.balance(auth) == 5_000 * N - 17_500
    await funding.reconciled()


async def test_paylink_bearing_the_fee_credits_the_whole_amount(funding):
    auth = await funding.user()
    quote = await funding.client.get(
        "/api/v1/wallet/funding-quote", params={"amount": 5_000 * N}, headers=auth
    )

    assert (await quote.json())["credit_amount"]["kobo"] == 5_000 * N
