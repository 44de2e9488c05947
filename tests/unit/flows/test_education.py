"""Exam PINs: WAEC result checker (quantity), WAEC registration, JAMB (profile id verified)."""

from __future__ import annotations

import pytest

from gateway.flows.model import (
    CustomerInvalid,
    CustomerVerified,
    Order,
    SubmitPurchase,
    VerifyCustomer,
)
from tests.unit.flows.helpers import NAV, PHONE, feed, lines, text, walk

EXAMS = lines("CON Choose exam:", "1 WAEC Result Checker", "2 WAEC Registration", "3 JAMB", NAV)
QUANTITY = lines("CON WAEC Result Checker N900 each", "How many PINs? (1-10)", NAV)
JAMB_PLANS = lines(
    "CON JAMB:", "1 UTME PIN (with mock) N7,700", "2 UTME PIN (without m.. N6,200", NAV
)
PROFILE = lines("CON Enter JAMB profile ID:", NAV)


@pytest.mark.parametrize(
    ("steps", "screen"),
    [
        (("5",), EXAMS),
        (("5", "1"), QUANTITY),
        (
            ("5", "1", "3"),
            lines(
                "CON WAEC Result Checker",
                "3 PINs x N900 = N2,700",
                "Enter PIN to pay:",
                NAV,
            ),
        ),
        (("5", "3"), JAMB_PLANS),
        (("5", "3", "2"), PROFILE),
    ],
    ids=["exams", "waec-quantity", "waec-confirm", "jamb-plans", "jamb-profile"],
)
def test_screens(steps, screen):
    assert text(walk(*steps)) == screen


def test_one_waec_pin_is_one_priced_line_without_doubled_names():
    # was "WAEC Result Checker x2 N1,800 / WASSCE N900": the exam named twice, two amounts
    assert text(walk("5", "1", "1")) == lines(
        "CON WAEC Result Checker N900", "Enter PIN to pay:", NAV
    )


def test_waec_result_checker_buys_a_quantity():
    effect = walk("5", "1", "3", "1357").effects[0]
    assert isinstance(effect, SubmitPurchase)
    assert effect.order == Order(
        category="education",
        service_id="waec",
        amount=90000,
        phone=PHONE,
        variation_code="waecdirect",
        quantity=3,
        label="WAEC Result Checker",
    )


@pytest.mark.parametrize("quantity", ["11", "12", "a", "", "1.5", "-1", "٣"])
def test_a_bad_quantity_re_prompts(quantity):
    assert text(walk("5", "1", quantity)) == lines("CON Invalid quantity.", QUANTITY[4:])


def test_waec_registration_has_one_plan_and_goes_straight_to_confirm():
    t = walk("5", "2")
    assert text(t) == lines(
        "CON WAEC Registration N14,450",
        "Enter PIN to pay:",
        NAV,
    )
    assert text(feed(t, "0")) == EXAMS


def test_jamb_verifies_the_profile_id_with_the_variation_as_type():
    t = walk("5", "3", "2", "0123456789")
    assert t.effects == (VerifyCustomer("jamb", "0123456789", "utme-no-mock"),)
    t = feed(t, CustomerVerified(name="Capital James"))
    assert text(t) == lines(
        "CON JAMB UTME PIN (without mock)",
        "N6,200 for profile 0123456789",
        "Capital James",
        "Enter PIN to pay:",
        NAV,
    )
    effect = feed(t, "1357").effects[0]
    assert isinstance(effect, SubmitPurchase)
    assert effect.order == Order(
        category="education",
        service_id="jamb",
        amount=620000,
        phone=PHONE,
        customer_ref="0123456789",
        variation_code="utme-no-mock",
        label="JAMB UTME PIN (without mock)",
    )


def test_back_from_the_jamb_confirm_returns_to_the_profile_id():
    assert text(walk("5", "3", "1", "0123456789", CustomerVerified("C J"), "0")) == PROFILE


def test_an_unknown_profile_id_re_prompts():
    t = walk("5", "3", "1", "0123456789", CustomerInvalid("not found"))
    assert text(t) == lines("CON Not found. Check number.", PROFILE[4:])


def test_a_malformed_profile_id_re_prompts():
    assert text(walk("5", "3", "1", "12ab")) == lines("CON Invalid number.", PROFILE[4:])
