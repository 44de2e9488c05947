"""TV: provider, smartcard, verify, renew or change bouquet (paged), confirm; Showmax by phone."""

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

PROVIDERS = lines("CON Choose TV:", "1 DStv", "2 GOtv", "3 StarTimes", "4 Showmax", NAV)
CARD = lines("CON Enter DStv smartcard/IUC number:", NAV)
DSTV_OK = CustomerVerified(
    name="TEST METER",
    current_bouquet="DStv Compact",
    current_bouquet_code="dstv79",
    renewal_amount=790000,
)
ACTION = lines("CON TEST METER", "Now: DStv Compact", "1 Renew N7,900", "2 Change bouquet", NAV)
RENEW = lines(
    "CON Renew DStv Compact",
    "Card 1212121212",
    "TEST METER",
    "N7,900 + N100 fee = N8,000",
    "Enter PIN to pay:",
    NAV,
)
BOUQUETS_1 = lines(
    "CON TEST METER",
    "Choose bouquet:",
    "1 Padi N1,850",
    "2 Yanga N2,565",
    "3 Confam N4,615",
    "4 Compact N7,900",
    "5 Premium N18,400",
    "98 More",
    NAV,
)
DSTV = ("4", "1", "1212121212")


@pytest.mark.parametrize(
    ("steps", "screen", "effects"),
    [
        (("4",), PROVIDERS, ()),
        (("4", "1"), CARD, ()),
        (DSTV, "CON Please wait...", (VerifyCustomer("dstv", "1212121212", None),)),
        ((*DSTV, DSTV_OK), ACTION, ()),
        ((*DSTV, DSTV_OK, "1"), RENEW, ()),
        ((*DSTV, DSTV_OK, "2"), BOUQUETS_1, ()),
    ],
    ids=["providers", "card", "verify", "renew-or-change", "renew", "change-list"],
)
def test_dstv_steps(steps, screen, effects):
    t = walk(*steps)
    assert text(t) == screen
    assert t.effects == effects


def test_renew_pays_the_renewal_amount_with_subscription_type_renew():
    (effect,) = walk(*DSTV, DSTV_OK, "1", "1357").effects
    assert isinstance(effect, SubmitPurchase)
    assert effect.order == Order(
        category="tv-subscription",
        service_id="dstv",
        amount=790000,
        phone=PHONE,
        customer_ref="1212121212",
        variation_code="dstv79",
        subscription_type="renew",
        label="DStv Compact",
    )


def test_change_to_a_bouquet_on_a_later_page():
    t = walk(*DSTV, DSTV_OK, "2", "98")
    assert "1 Compact Plus N12,400" in text(t)
    confirm = feed(t, "1")
    assert text(confirm) == lines(
        "CON DStv Compact Plus",
        "Card 1212121212",
        "TEST METER",
        "N12,400 + N100 fee = N12,500",
        "Enter PIN to pay:",
        NAV,
    )
    effect = feed(confirm, "1357").effects[0]
    assert isinstance(effect, SubmitPurchase)
    order = effect.order
    assert (order.variation_code, order.amount, order.subscription_type) == (
        "dstv7",
        1240000,
        "change",
    )
    assert order.label == "DStv Compact Plus"  # the provider once, no price


def test_without_a_renewal_amount_only_change_is_offered():
    t = walk(*DSTV, CustomerVerified(name="TEST METER"))
    assert text(t) == lines("CON TEST METER", "2 Change bouquet", NAV)
    assert text(feed(t, "1")).startswith("CON Invalid choice.")


def test_gotv_renew():
    t = walk(
        "4", "2", "1212121212", CustomerVerified("JOHN", None, "GOtv Max", "gotv-max", 360000), "1"
    )
    assert text(t).startswith("CON Renew GOtv Max\nCard 1212121212\nJOHN\n")


def test_startimes_goes_from_verify_to_the_bouquets_without_subscription_type():
    t = walk("4", "3", "1212121212", CustomerVerified("ADA", None, "Nova", "nova", 90000))
    assert text(t).startswith("CON ADA\nChoose bouquet:\n1 Nova 1 Month N900\n")
    effect = feed(t, "2", "1357").effects[0]
    assert isinstance(effect, SubmitPurchase)
    assert (effect.order.variation_code, effect.order.subscription_type) == ("basic", None)


def test_showmax_is_bought_for_a_phone_number_without_verify():
    assert text(walk("4", "4")) == lines(
        "CON Showmax plans:", "1 Full N2,900", "2 Mobile Only N1,450", "3 Pro N6,300", NAV
    )
    t = walk("4", "4", "1", "2", "08091234567")
    assert text(t) == lines(
        "CON Showmax Full",
        "For 08091234567",
        "N2,900 + N100 fee = N3,000",
        "Enter PIN to pay:",
        NAV,
    )
    effect = feed(t, "1357").effects[0]
    assert isinstance(effect, SubmitPurchase)
    assert effect.order == Order(
        category="tv-subscription",
        service_id="showmax",
        amount=290000,
        phone="+2348091234567",
        customer_ref="08091234567",
        variation_code="full",
        label="Showmax Full",
    )


def test_an_invalid_smartcard_goes_back_to_the_card_entry():
    t = walk(*DSTV, CustomerInvalid("The Smartcard/Decoder Number you entered may be invalid"))
    assert text(t) == lines("CON Not found. Check number.", CARD[4:])


@pytest.mark.parametrize("card", ["123", "12121212121212121212x", ""])
def test_a_malformed_smartcard_re_prompts(card):
    assert text(walk("4", "1", card)) == lines("CON Invalid number.", CARD[4:])


def test_back_from_the_bouquets_returns_to_renew_or_change():
    assert text(walk(*DSTV, DSTV_OK, "2", "0")) == ACTION
