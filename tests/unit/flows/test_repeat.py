"""Buy again (main menu 7, then the purchase) and dial-string shortcuts (`*347*88*1*500#`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gateway.flows.catalogue import CatalogueSnapshot, Variation
from gateway.flows.model import (
    LoadBalance,
    LoadHistory,
    Order,
    SubmitPurchase,
    VerifyCustomer,
)
from gateway.flows.repeat import as_choice, refresh
from gateway.money import Kobo
from tests.unit.flows.catalogue_data import CATALOG, CATEGORIES, VARIATIONS, full_catalog
from tests.unit.flows.helpers import MENU, NAV, PHONE, feed, lines, start, text

AIRTIME = Order("airtime", "mtn", 50000, PHONE, label="MTN Airtime")
METER = Order(
    "electricity-bill", "ikeja-electric", 1000000, PHONE, "1111111111111", "prepaid",
    label="IKEDC Prepaid",
)  # fmt: skip
DATA = Order(
    "data", "mtn-data", 100000, "+2348051234567", "08051234567", "mtn-100mb-1000",
    label="MTN Data 1.5GB",
)  # fmt: skip
RENEW = Order(
    "tv-subscription", "dstv", 790000, PHONE, "1212121212", "dstv79", subscription_type="renew",
    label="DStv Compact",
)  # fmt: skip
RECENT = (AIRTIME, METER, DATA)


AGAIN = lines(
    "CON Buy again:",
    "1 MTN Airtime N500 to 08031234567",
    "2 IKEDC Prepaid N10,100 to 1111111111111",  # what will be paid, fee included
    "3 MTN Data 1.5GB N1,000 to 08051234567",
    "0 Back",
)


def test_the_main_menu_offers_buy_again_only_to_callers_with_purchases():
    assert text(start(recent=RECENT)) == lines(MENU, "7 Buy again")
    assert text(start()) == MENU
    assert text(feed(start(), "7")).startswith("CON Invalid choice.\nPayLink")


def test_buy_again_lists_each_purchase_with_its_price_and_recipient():
    # the recipient was hidden: "7 Again MTN Airtime N500" did not say for whom
    assert text(feed(start(recent=RECENT), "7")) == AGAIN
    # a renewal's amount is known only after the card is verified again
    assert text(feed(start(recent=(AIRTIME, RENEW)), "7")) == lines(
        "CON Buy again:",
        "1 MTN Airtime N500 to 08031234567",
        "2 DStv Compact to 1212121212",
        "0 Back",
    )
    assert text(feed(start(recent=(*RECENT, RENEW)), "7")).count("\n") == 4  # three offered


def test_a_long_name_gives_way_to_the_price_and_the_recipient():
    long = replace(METER, label="Port Harcourt Electricity Distribution Prepaid")
    line = text(feed(start(recent=(long,)), "7")).split("\n")[1]
    assert line == "1 Port Harcou.. N10,100 to 1111111111111"


def test_sessions_started_with_one_lines_orders_start_alike():
    # what the shell keeps per line's orders (tests/conversations/test_memo.py) relies on it
    orders = (METER, DATA)
    first, second = start(recent=orders), start(recent=orders)
    assert first.state.caller.recent == second.state.caller.recent
    assert first.reply == second.reply
    assert text(second) == lines(MENU, "7 Buy again")


@pytest.mark.parametrize(
    ("key", "screen"),
    [
        ("1", lines("CON MTN Airtime N500", "To 08031234567", "Enter PIN to pay:", NAV)),
        (
            "2",
            lines(
                "CON IKEDC Prepaid",
                "Meter 1111111111111",
                "N10,000 + N100 fee = N10,100",
                "Enter PIN to pay:",
                NAV,
            ),
        ),
        ("3", lines("CON MTN Data 1.5GB N1,000", "To 08051234567", "Enter PIN to pay:", NAV)),
    ],
)
def test_buy_again_opens_the_confirm_screen(key, screen):
    assert text(feed(start(recent=RECENT), "7", key)) == screen


def test_buy_again_submits_the_same_order_with_the_pin():
    effect = feed(start(recent=RECENT), "7", "2", "1357").effects[0]
    assert isinstance(effect, SubmitPurchase)
    assert effect.order == METER


def test_buy_again_back_returns_to_the_list_then_the_main_menu():
    t = feed(start(recent=RECENT), "7", "1", "0")
    assert text(t) == AGAIN
    assert text(feed(t, "0")).startswith(MENU)


def test_a_line_without_a_purchase_is_an_invalid_choice():
    t = feed(start(recent=(AIRTIME,)), "7", "2")
    assert text(t).startswith("CON Invalid choice.\nBuy again:")


def _catalog_with(service_id: str, plans: tuple[Variation, ...]) -> CatalogueSnapshot:
    base = full_catalog()
    services = [s for c in CATEGORIES for s in base.services(c.identifier)]
    return CatalogueSnapshot.build(CATEGORIES, services, {**VARIATIONS, service_id: plans})


def test_a_plan_bought_again_takes_todays_price():
    cheaper = _catalog_with(
        "mtn-data", (Variation("mtn-100mb-1000", "N900 1.5GB", Kobo(90000), True),)
    )
    fresh = refresh(DATA, cheaper)
    assert fresh == replace(DATA, amount=90000)


@pytest.mark.parametrize(
    ("order", "catalog"),
    [
        (replace(DATA, variation_code="retired-plan"), CATALOG),
        (replace(AIRTIME, service_id="gone"), CATALOG),
        (replace(AIRTIME, amount=10_000_000), CATALOG),  # N100,000: above the airtime maximum
    ],
    ids=["plan-gone", "service-gone", "amount-out-of-limits"],
)
def test_what_cannot_be_bought_today_is_not_available(order, catalog):
    assert refresh(order, catalog) is None
    t = feed(start(recent=(order,)), "7", "1")
    assert text(t).startswith("CON Not available.\nBuy again:")


def test_a_renewal_bought_again_verifies_the_card_again_instead_of_replaying_its_amount():
    assert refresh(RENEW, CATALOG) is None
    t = feed(start(recent=(AIRTIME, RENEW)), "7", "2")
    assert t.effects == (VerifyCustomer("dstv", "1212121212"),)


def test_buy_again_keeps_a_choice_never_a_plan_price():
    cheap = replace(DATA, amount=1)  # a price some client once got through
    assert as_choice(cheap).to_fields() == as_choice(DATA).to_fields()
    assert "amt" not in as_choice(cheap).to_fields()
    assert as_choice(AIRTIME) == AIRTIME  # an open amount is the customer's own choice
    t = feed(start(recent=(cheap,)), "7", "1", "1357")
    assert t.effects[0].order.amount == 100000  # today's catalogue price, not the kept one


# -- shortcuts -----------------------------------------------------------------------------------

AIRTIME_CONFIRM = lines(
    "CON MTN airtime N500", "To 08031234567", "Enter PIN to pay:", "1 Change network", NAV
)


@pytest.mark.parametrize(
    ("shortcut", "screen"),
    [
        (("1",), lines("CON Buy airtime for:", "1 My number", "2 Another number", NAV)),
        (("1", "500"), AIRTIME_CONFIRM),
        (
            ("1", "500", "08051234567"),
            lines("CON Glo airtime N500", "To 08051234567", "Enter PIN to pay:",
                  "1 Change network", NAV),
        ),
        (
            ("1", "2", "08051234567"),
            lines("CON Glo airtime for 08051234567", "Enter amount (N50-N50,000):", NAV),
        ),
        (("1", "1", "500"), AIRTIME_CONFIRM),
        (
            ("1", "10"),
            lines("CON Amount too low.", "MTN airtime for 08031234567",
                  "Enter amount (N50-N50,000):", NAV),
        ),
        (("1", "500", "0803"), lines("CON Invalid phone number.", "Enter phone number:", NAV)),
        (
            ("1", "500", "07020000001"),
            lines("CON Choose network:", "1 MTN", "2 Glo", "3 Airtel", "4 9mobile", NAV),
        ),
        (("2", "1"), "CON MTN Data plans:"),
        (("2", "1", "3"), lines("CON Buy data for:", "1 My number", "2 Another number", NAV)),
        (("4", "1"), lines("CON Enter DStv smartcard/IUC number:", NAV)),
        (("x",), lines("CON Invalid choice.", MENU[4:])),
        (("2", "99", "1"), "CON Invalid choice.\nChoose network:"),
        ((" 1 ", " 500 "), AIRTIME_CONFIRM),
    ],
    ids=["airtime", "airtime-amount", "airtime-other", "replay-other", "replay-full",
         "amount-too-low", "bad-phone", "unknown-network", "data-plans", "data-plan",
         "tv-card", "bad-first", "stops-at-bad", "spaces"],
)  # fmt: skip
def test_shortcut_screens(shortcut, screen):
    shown = text(start(shortcut=shortcut))
    assert shown.startswith(screen)


IKEJA_VERIFY = VerifyCustomer("ikeja-electric", "1111111111111", "prepaid")


@pytest.mark.parametrize(
    ("shortcut", "effects"),
    [
        (("3", "1", "1", "1111111111111"), (IKEJA_VERIFY,)),
        (("3", "1", "1", "1111111111111", "5000"), (IKEJA_VERIFY,)),
        (("6", "1"), (LoadBalance(),)),
        (("6", "2"), (LoadHistory(5),)),
    ],
    ids=["verify", "stops-at-the-effect", "balance", "history"],
)  # fmt: skip
def test_shortcuts_stop_at_the_first_effect(shortcut, effects):
    assert start(shortcut=shortcut).effects == effects


@pytest.mark.parametrize(
    "shortcut",
    [
        ("1", "1", "500", "1357"),
        ("7", "1", "1357"),
        ("6", "3", "1357"),
        ("1", "500", "0803", "1357"),
    ],
    ids=["replayed", "buy-again", "change-pin", "too-long"],
)
def test_a_pin_is_never_taken_from_a_dial_string(shortcut):
    t = start(shortcut=shortcut, recent=RECENT)
    assert t.effects == ()
    assert t.state is not None
    assert t.state.flow.value != "checkout" or t.state.step == "confirm"


def test_buy_again_by_shortcut():
    assert text(start(shortcut=("7",), recent=RECENT)) == AGAIN
    assert text(start(shortcut=("7", "3"), recent=RECENT)).startswith("CON MTN Data 1.5GB N1,000\n")
