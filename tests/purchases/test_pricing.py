"""Pure quotes: defaults per category, database rules override, integer kobo throughout."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.pricing import PricingRule, quote, select_rule
from gateway.errors import InvalidInput
from gateway.store import pricing as pricing_store

N = 100


def test_airtime_and_data_have_no_fee():
    for category, service in [("airtime", "mtn"), ("data", "mtn-data")]:
        q = quote(select_rule([], category, service), 1_500 * N)
        assert (q.face, q.fee, q.discount, q.total) == (1_500 * N, 0, 0, 1_500 * N)


def test_electricity_and_tv_carry_a_flat_100_naira_fee():
    for category, service in [("electricity-bill", "ikeja-electric"), ("tv-subscription", "dstv")]:
        q = quote(select_rule([], category, service), 5_000 * N)
        assert (q.fee, q.total) == (100 * N, 5_100 * N)


def test_the_most_specific_rule_wins():
    rules = [
        PricingRule(category="data", fee_flat=10 * N),
        PricingRule(category="data", service_id="glo-data", discount_bp=200),
    ]
    assert select_rule(rules, "data", "glo-data").discount_bp == 200
    assert select_rule(rules, "data", "mtn-data").fee_flat == 10 * N
    assert select_rule(rules, "education", "waec") == PricingRule()


def test_percentages_round_half_up_and_respect_caps():
    rule = PricingRule(fee_bp=150, fee_cap=1_000 * N, discount_bp=50)
    q = quote(rule, 101)  # 1.5% of 101 kobo = 1.515 -> 2; 0.5% = 0.505 -> 1
    assert (q.fee, q.discount, q.total) == (2, 1, 102)
    assert quote(rule, 1_000_000 * N).fee == 1_000 * N


def test_quantity_multiplies_the_face_amount():
    q = quote(PricingRule(category="education"), 900 * N, quantity=3)
    assert (q.face, q.quantity) == (2_700 * N, 3)


@pytest.mark.parametrize(("amount", "quantity"), [(0, 1), (-1, 1), (100 * N, 0), (100 * N, 11)])
def test_bad_amounts_and_quantities_are_refused(amount, quantity):
    with pytest.raises(InvalidInput):
        quote(PricingRule(), amount, quantity)


def test_airtime_bounds_are_enforced():
    rule = select_rule([], "airtime", "mtn")
    with pytest.raises(InvalidInput, match="N50"):
        quote(rule, 49 * N)


@given(
    amount=st.integers(1, 10**9),
    fee_bp=st.integers(0, 5_000),
    flat=st.integers(0, 10**6),
    discount_bp=st.integers(0, 10_000),
)
def test_a_quote_always_adds_up_and_is_never_free(amount, fee_bp, flat, discount_bp):
    q = quote(PricingRule(fee_flat=flat, fee_bp=fee_bp, discount_bp=discount_bp), amount)
    assert q.total == q.face + q.fee - q.discount
    assert q.total > 0
    assert all(isinstance(v, int) for v in (q.face, q.fee, q.discount, q.total))


async def test_rules_from_the_database_change_the_quote(service, sessionmaker, clock):
    assert (await service.quote("data", "mtn-data", 1_000 * N)).fee == 0
    async with sessionmaker.begin() as session:
        await pricing_store.put_rule(
            session, PricingRule(category="data", fee_flat=25 * N), at=clock.now()
        )
    service.forget_pricing()

    assert (await service.quote("data", "mtn-data", 1_000 * N)).fee == 25 * N
