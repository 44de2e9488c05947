"""Fees on a handset: the confirm screen names the total the wallet pays, and a fee that
changes between the confirm screen and the PIN is refused rather than charged.

The whole gateway on Postgres + real Redis + the simulator, dialled over HTTP.
"""

from __future__ import annotations

from sqlalchemy import func, select

from gateway.domain.pricing import PricingRule
from gateway.store import pricing as pricing_store
from gateway.store.tables import Purchase
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, delivered
from tests.worker.harness import N

METER = "1111111111111"
PREPAID_1000 = ("3", "1", "1", METER, "1000")  # Ikeja, prepaid, meter, N1,000


async def test_the_electricity_confirm_screen_names_the_fee_the_wallet_pays(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()

    confirm = await handset.send(*PREPAID_1000)

    assert "\nN1,000 + N100 fee = N1,100\nEnter PIN to pay:" in confirm
    assert await handset.send(PIN) == RECEIVED
    bought = await delivered(gateway, user_id)
    assert (bought.face_amount, bought.fee, bought.total) == (1_000 * N, 100 * N, 1_100 * N)
    assert await gateway.wallet() == 100_000 * N - 1_100 * N


async def test_a_fee_raised_after_the_confirm_screen_is_refused_not_charged(gateway, phone):
    await customer(gateway)
    handset = phone()
    await handset.dial()
    confirm = await handset.send(*PREPAID_1000)
    assert "= N1,100" in confirm
    async with gateway.db.begin() as session:  # an operator raises the fee meanwhile
        rule = PricingRule(category="electricity-bill", fee_flat=150 * N, min_amount=500 * N)
        await pricing_store.put_rule(session, rule, at=gateway.clock.now())
    gateway.service.forget_pricing()

    answer = await handset.send(PIN)

    assert answer.startswith("END ")
    assert "N1,150" in answer  # what it would cost now, fee included
    async with gateway.db() as session:
        assert await session.scalar(select(func.count(Purchase.id))) == 0
    assert await gateway.wallet() == 100_000 * N
