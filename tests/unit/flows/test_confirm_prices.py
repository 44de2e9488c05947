"""The confirm screen's price: the total with its fee, from the rules a submit charges.

Each test is a way a customer could be shown one price and debited another: a fee left off the
screen, a fee rule the screen does not know, a long name pushing the price off a 160-character
screen, or a submit that does not carry the total that was shown.
"""

from __future__ import annotations

from dataclasses import replace

from gateway.domain.pricing import PricingRule
from gateway.flows.model import CustomerVerified, Order, PinRejected, SubmitPurchase, Transition
from gateway.flows.repeat import shown_total
from gateway.flows.screens import USSD
from tests.unit.flows.catalogue_data import CATALOG
from tests.unit.flows.helpers import feed, start, text, walk

METER = ("3", "1", "1", "1111111111111")
PIN = "1357"


def _submit(t: Transition) -> SubmitPurchase:
    (effect,) = t.effects
    assert isinstance(effect, SubmitPurchase)
    return effect


def test_electricity_shows_its_fee_and_submits_the_total_shown():
    t = walk(*METER, CustomerVerified(name="TESTMETER1"), "2000")

    assert "\nN2,000 + N100 fee = N2,100\nEnter PIN to pay:" in text(t)
    submit = _submit(feed(t, PIN))
    assert (submit.order.amount, submit.total) == (200_000, 210_000)


def test_airtime_without_a_fee_adds_no_line_but_still_submits_its_total():
    t = walk("1", "1", "500")

    assert "fee" not in text(t)
    assert _submit(feed(t, PIN)).total == 50_000


def test_a_fee_rule_an_operator_added_is_on_the_screen_the_submit_is_checked_against():
    catalog = replace(CATALOG, rules=(PricingRule(category="airtime", fee_bp=150),))

    t = feed(start(catalog=catalog), "1", "1", "500", catalog=catalog)

    assert "\nN500 + N7.50 fee = N507.50\n" in text(t)  # 1.5 % of N500
    assert _submit(feed(t, PIN, catalog=catalog)).total == 50_750


def test_a_discount_is_shown_taken_off():
    catalog = replace(CATALOG, rules=(PricingRule(category="airtime", discount_bp=1_000),))

    t = feed(start(catalog=catalog), "1", "1", "500", catalog=catalog)

    assert "\nN500 - N50 off = N450\n" in text(t)
    assert _submit(feed(t, PIN, catalog=catalog)).total == 45_000


def test_a_long_name_and_a_wrong_pin_hint_never_push_the_total_off_the_screen():
    name = "CHUKWUEMEKA OLUWASEUN ADEBAYO-NWANKWO ENTERPRISES"
    t = walk(*METER, CustomerVerified(name=name), "500000")
    t = feed(t, PIN, PinRejected(2))

    screen = text(t)  # `render` refuses a screen over the budget
    assert len(screen) <= USSD.max_chars
    assert screen.startswith("CON Wrong PIN. 2 tries left.\n")
    assert "N500,100" in screen
    assert screen.endswith("Enter PIN to pay:\n0 Back\n00 Main menu")


def test_buy_again_offers_what_will_be_paid_fee_included():
    meter = Order(
        category="electricity-bill",
        service_id="ikeja-electric",
        amount=1_000_000,
        phone="+2348031234567",
        customer_ref="1111111111111",
        variation_code="prepaid",
        label="IKEDC Prepaid",
    )

    assert shown_total(meter, CATALOG) == 1_010_000
    assert shown_total(replace(meter, amount=100), CATALOG) is None  # below the N500 minimum


def test_the_face_amount_is_said_once_when_a_fee_line_shows_it():
    t = walk(*METER, CustomerVerified(name="TESTMETER1"), "2000")

    assert text(t).count("N2,000") == 1
