"""Failure reasons: every VTPass code a purchase can fail with maps to short customer words
that never expose our VTPass account's state, and fit a one-SMS receipt."""

from __future__ import annotations

import pytest

from gateway.gsm7 import to_gsm7
from gateway.purchases import failure_reasons
from gateway.purchases.failure_reasons import REASON_MAX, REASONS, customer_reason


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("019", failure_reasons.DUPLICATE),
        ("011", failure_reasons.INVALID_DETAILS),
        ("016", failure_reasons.NOT_COMPLETED),
        ("030", failure_reasons.PROVIDER_DOWN),
        ("013", failure_reasons.AMOUNT_LOW),
        ("012", failure_reasons.PRODUCT_GONE),
    ],
)
def test_known_codes_get_their_reason(code, reason):
    assert customer_reason(code) == reason


@pytest.mark.parametrize("code", ["018", "021", "022", "027", "087", "085"])
def test_our_own_account_trouble_is_only_ever_service_unavailable(code):
    # "LOW WALLET BALANCE" is our float: the customer must not read it as theirs
    assert customer_reason(code) == failure_reasons.OUR_SIDE


@pytest.mark.parametrize("code", [None, "", "777", "000"])
def test_a_missing_or_unknown_code_still_gets_words(code):
    assert customer_reason(code) == failure_reasons.NOT_COMPLETED


def test_every_reason_is_short_gsm7_and_lower_case():
    for reason in {*REASONS.values(), failure_reasons.NOT_COMPLETED}:
        assert len(reason) <= REASON_MAX, reason
        assert to_gsm7(reason) == reason
        assert reason[0].islower()  # it follows "failed: " mid-sentence
        assert "vtpass" not in reason.lower()
