"""Electricity: disco, prepaid/postpaid, meter, verify (name, address), amount, confirm."""

from __future__ import annotations

import pytest

from gateway.flows.model import (
    CustomerInvalid,
    CustomerVerified,
    Order,
    SubmitPurchase,
    VerifyCustomer,
)
from tests.unit.flows.helpers import NAV, PHONE, lines, text, walk

DISCOS_1 = lines(
    "CON Choose your disco:",
    "1 Ikeja (IKEDC)",
    "2 Eko (EKEDC)",
    "3 Kano (KEDCO)",
    "4 PH (PHED)",
    "5 Jos (JED)",
    "6 Ibadan (IBEDC)",
    "98 More",
    NAV,
)
DISCOS_2 = lines(
    "CON Choose your disco:",
    "1 Kaduna (KAEDCO)",
    "2 Abuja (AEDC)",
    "3 Enugu (EEDC)",
    "4 Benin (BEDC)",
    "5 Aba (APLE)",
    "6 Yola (YEDC)",
    NAV,
)
KIND = lines("CON Ikeja (IKEDC) meter type:", "1 Prepaid", "2 Postpaid", NAV)
METER = lines("CON Enter prepaid meter number:", NAV)
VERIFIED = CustomerVerified(name="TESTMETER1", address="ABULE EGBA BU ABULE")
AMOUNT = lines("CON TESTMETER1", "ABULE EGBA BU ABULE", "Enter amount (N500-N500,000):", NAV)
CONFIRM = lines(
    "CON Ikeja (IKEDC) Prepaid",
    "Meter 1111111111111",
    "TESTMETER1",
    "N2,000 + N100 fee = N2,100",
    "Enter PIN to pay:",
    NAV,
)
PATH = ("3", "1", "1", "1111111111111")


@pytest.mark.parametrize(
    ("steps", "screen", "effects"),
    [
        (("3",), DISCOS_1, ()),
        (("3", "98"), DISCOS_2, ()),
        (("3", "1"), KIND, ()),
        (("3", "1", "1"), METER, ()),
        (
            PATH,
            "CON Please wait...",
            (VerifyCustomer("ikeja-electric", "1111111111111", "prepaid"),),
        ),
        ((*PATH, VERIFIED), AMOUNT, ()),
        ((*PATH, VERIFIED, "2000"), CONFIRM, ()),
    ],
    ids=["discos", "discos-page-2", "kind", "meter", "verify", "amount", "confirm"],
)
def test_prepaid_happy_path(steps, screen, effects):
    t = walk(*steps)
    assert text(t) == screen
    assert t.effects == effects


def test_the_purchase_carries_meter_type_and_amount():
    (effect,) = walk(*PATH, VERIFIED, "2000", "1357").effects
    assert isinstance(effect, SubmitPurchase)
    assert effect.order == Order(
        category="electricity-bill",
        service_id="ikeja-electric",
        amount=200000,
        phone=PHONE,
        customer_ref="1111111111111",
        variation_code="prepaid",
        label="IKEDC Prepaid",
    )


def test_postpaid_on_a_disco_from_page_two():
    t = walk("3", "98", "2", "2", "1010101010101")
    assert t.effects == (VerifyCustomer("abuja-electric", "1010101010101", "postpaid"),)
    effect = walk("3", "98", "2", "2", "1010101010101", VERIFIED, "5000", "1357").effects[0]
    assert isinstance(effect, SubmitPurchase)
    assert (effect.order.variation_code, effect.order.label) == ("postpaid", "AEDC Postpaid")


def test_an_invalid_meter_goes_back_to_the_meter_entry():
    t = walk(*PATH, CustomerInvalid("This meter is not correct or is not a valid Ikeja meter"))
    assert text(t) == lines("CON Not found. Check number.", METER[4:])


@pytest.mark.parametrize("meter", ["12345", "1" * 21, "11111a1111111", ""])
def test_a_malformed_meter_number_re_prompts(meter):
    t = walk("3", "1", "1", meter)
    assert text(t) == lines("CON Invalid number.", METER[4:])
    assert t.effects == ()


def test_back_from_the_amount_returns_to_the_meter_entry():
    assert text(walk(*PATH, VERIFIED, "0")) == METER


def test_the_discos_minimum_from_verify_raises_the_floor():
    t = walk(*PATH, CustomerVerified("TESTMETER1", "X", min_amount=100000))
    assert "Enter amount (N1,000-N500,000):" in text(t)
    assert text(walk(*PATH, CustomerVerified("T", "X", min_amount=100000), "900")).startswith(
        "CON Amount too low."
    )


def test_long_or_foreign_customer_details_are_cleaned_and_cut():
    long = CustomerVerified(name="Ọmọ́láńre Adébáyọ̀ " * 5, address="№ 12, “Awolowo” Road " * 6)
    t = walk(*PATH, long)
    shown = text(t)
    assert shown.startswith(
        'CON Omolanre Adébayo Omolanre..\nNo 12, "Awolowo" Road No 12, "Awolowo"..\n'
    )
    assert "Enter amount" in shown
    confirm = text(walk(*PATH, long, "2000"))
    assert "\nOmolanre Adébayo Omolanre Ad..\n" in confirm
