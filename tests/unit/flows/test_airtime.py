"""Airtime: my number or another, network from the prefix (changeable), amount, PIN, END."""

from __future__ import annotations

import pytest

from gateway.flows.model import Order, PurchaseAccepted, SubmitPurchase
from tests.unit.flows.helpers import NAV, PHONE, lines, text, walk

WHO = lines("CON Buy airtime for:", "1 My number", "2 Another number", NAV)
PHONE_PROMPT = lines("CON Enter phone number:", NAV)
AMOUNT = lines("CON MTN airtime for 08031234567", "Enter amount (N50-N50,000):", NAV)
CONFIRM = lines(
    "CON MTN airtime N500", "To 08031234567", "Enter PIN to pay:", "1 Change network", NAV
)
NETWORKS = lines("CON Choose network:", "1 MTN", "2 Glo", "3 Airtel", "4 9mobile", NAV)
RECEIVED = "END Request received. You will get an SMS."


@pytest.mark.parametrize(
    ("steps", "screen"),
    [
        (("1",), WHO),
        (("1", "1"), AMOUNT),
        (("1", "1", "500"), CONFIRM),
        (("1", "1", "500", "1357"), "CON Please wait..."),
        (("1", "1", "500", "1357", PurchaseAccepted()), RECEIVED),
    ],
    ids=["who", "amount", "confirm", "submitted", "accepted"],
)
def test_my_number_happy_path(steps, screen):
    assert text(walk(*steps)) == screen


def test_the_pin_submits_the_purchase_in_gateway_terms():
    t = walk("1", "1", "500", "1357")
    (effect,) = t.effects
    assert isinstance(effect, SubmitPurchase)
    assert effect.pin == "1357"
    assert effect.order == Order(
        category="airtime", service_id="mtn", amount=50000, phone=PHONE, label="MTN Airtime"
    )


@pytest.mark.parametrize(
    ("number", "network", "service_id"),
    [
        ("08051234567", "Glo", "glo"),
        ("08021234567", "Airtel", "airtel"),
        ("+2348091234567", "9mobile", "etisalat"),
        ("2347061234567", "MTN", "mtn"),
    ],
)
def test_another_number_detects_its_network(number, network, service_id):
    t = walk("1", "2", number)
    local = "0" + number[-10:]
    assert text(t) == lines(
        f"CON {network} airtime for {local}", "Enter amount (N50-N50,000):", NAV
    )
    paid = walk("1", "2", number, "1000", "1357")
    assert paid.effects[0].order.service_id == service_id  # type: ignore[union-attr]
    assert paid.effects[0].order.phone == "+234" + number[-10:]  # type: ignore[union-attr]


def test_an_unknown_prefix_asks_for_the_network():
    t = walk("1", "2", "07020000001")
    assert text(t) == NETWORKS
    assert text(walk("1", "2", "07020000001", "3")).startswith("CON Airtel airtime for 07020000001")


def test_the_network_can_be_changed_on_the_confirm_screen():
    t = walk("1", "1", "500", "1")
    assert text(t) == NETWORKS
    t = walk("1", "1", "500", "1", "2")
    assert text(t) == lines(
        "CON Glo airtime N500", "To 08031234567", "Enter PIN to pay:", "1 Change network", NAV
    )
    paid = walk("1", "1", "500", "1", "2", "1357")
    assert paid.effects[0].order.service_id == "glo"  # type: ignore[union-attr]


def test_foreign_airtime_is_not_offered():
    assert "Foreign" not in text(walk("1", "2", "07020000001"))


@pytest.mark.parametrize(
    ("amount", "hint"),
    [
        ("49", "Amount too low."),
        ("50001", "Amount too high."),
        ("abc", "Invalid amount."),
        ("500.50", "Invalid amount."),
        ("0500x", "Invalid amount."),
        ("-5", "Invalid amount."),
        ("", "Invalid amount."),
    ],
)
def test_bad_amounts_re_prompt(amount, hint):
    assert text(walk("1", "1", amount)) == lines(f"CON {hint}", AMOUNT[4:])


@pytest.mark.parametrize("amount", ["50", "50000", "1,500", "N1500", "1500.00"])
def test_amounts_people_type(amount):
    assert text(walk("1", "1", amount)).startswith("CON MTN airtime N")


@pytest.mark.parametrize("number", ["0803123456", "12345678901", "+447700900000", "abc"])
def test_bad_numbers_re_prompt(number):
    assert text(walk("1", "2", number)) == lines("CON Invalid phone number.", PHONE_PROMPT[4:])


def test_back_from_confirm_returns_to_the_amount():
    assert text(walk("1", "1", "500", "0")) == AMOUNT


def test_bad_pin_format_re_prompts_the_confirm_screen():
    t = walk("1", "1", "500", "13")
    assert text(t) == lines("CON PIN must be 4 digits.", CONFIRM[4:])
    assert t.effects == ()
