"""Data: network, paged plan list, my number or another (or an account), confirm."""

from __future__ import annotations

import pytest

from gateway.flows.catalogue import CatalogueSnapshot
from gateway.flows.model import Order, SubmitPurchase, Transition
from gateway.flows.screens import USSD
from gateway.flows.steps import Ctx, plan_label
from tests.unit.flows.catalogue_data import (
    CATALOG,
    CATEGORIES,
    MTN_DATA,
    VARIATIONS,
    full_catalog,
)
from tests.unit.flows.helpers import NAV, PHONE, feed, lines, start, text, walk

NETWORKS = lines(
    "CON Choose network:",
    "1 MTN Data",
    "2 Glo Data",
    "3 Airtel Data",
    "4 9mobile Data",
    "5 Glo SME Data",
    "6 Smile",
    "7 Spectranet",
    NAV,
)
MTN_PAGE_1 = lines(
    "CON MTN Data plans:",
    "1 100MB 24 hrs N100",
    "2 200MB 2 days N200",
    "3 1.5GB 30 days N1,000",
    "4 4.5GB 30 days N2,000",
    "98 More",
    NAV,
)
WHO = lines("CON Buy data for:", "1 My number", "2 Another number", NAV)
CONFIRM = lines("CON MTN Data", "1.5GB 30 days N1,000", "To 08031234567", "Enter PIN to pay:", NAV)


@pytest.mark.parametrize(
    ("steps", "screen"),
    [
        (("2",), NETWORKS),
        (("2", "1"), MTN_PAGE_1),
        (("2", "1", "3"), WHO),
        (("2", "1", "3", "1"), CONFIRM),
    ],
    ids=["networks", "plans", "who", "confirm"],
)
def test_my_number_happy_path(steps, screen):
    assert text(walk(*steps)) == screen


def test_the_purchase_carries_the_plan_and_the_recipient():
    t = walk("2", "1", "3", "2", "08051234567", "1357")
    (effect,) = t.effects
    assert isinstance(effect, SubmitPurchase)
    assert effect.order == Order(
        category="data",
        service_id="mtn-data",
        amount=100000,
        phone="+2348051234567",
        customer_ref="08051234567",
        variation_code="mtn-100mb-1000",
        label="MTN Data 1.5GB 30 days",
    )


def _all_pages(t: Transition) -> tuple[list[str], Transition]:
    """Every plan label shown, following 98 until the last page; checks each page renders."""
    seen = []
    while True:
        shown = text(t)
        seen += [
            line.split(" ", 1)[1]
            for line in shown.split("\n")[1:]
            if line[:1].isdigit() and not line.startswith(("98 ", "0 ", "00 "))
        ]
        if "\n98 More" not in shown:
            return seen, t
        t = feed(t, "98")


def test_paging_through_every_mtn_plan():
    seen, last = _all_pages(walk("2", "1"))
    ctx_labels = [plan_label(p, _ctx(), provider="MTN Data") for p in MTN_DATA]
    assert seen == ctx_labels
    assert len(MTN_DATA) >= 30
    assert text(feed(last, "98")).startswith("CON Invalid choice.\nMTN Data plans:")


def _ctx() -> Ctx:
    return Ctx(CATALOG, USSD)


def test_a_plan_on_a_later_page_is_picked_by_its_number_on_that_page():
    t = walk("2", "1", "98", "98")
    first_on_page = text(t).split("\n")[1]
    assert first_on_page.startswith("1 ")
    chosen = feed(t, "1", "1", "1357").effects[0]
    assert isinstance(chosen, SubmitPurchase)
    plan = CATALOG.variation("mtn-data", chosen.order.variation_code or "")
    assert plan is not None
    assert plan_label(plan, _ctx(), provider="MTN Data") == first_on_page[2:]


def test_back_walks_the_pages_then_leaves_the_list():
    t = walk("2", "1", "98", "98")
    assert text(feed(t, "0", "0")) == MTN_PAGE_1
    assert text(feed(t, "0", "0", "0")) == NETWORKS


def test_back_from_who_keeps_the_page_the_plan_was_on():
    page_3 = text(walk("2", "1", "98", "98"))
    assert text(walk("2", "1", "98", "98", "1", "0")) == page_3


@pytest.mark.parametrize("choice", ["0x", "9", "12", "", "98x"])
def test_a_bad_plan_choice_re_prompts_the_same_page(choice):
    t = walk("2", "1", "98")
    again = feed(t, choice)
    assert text(again) == "CON Invalid choice.\n" + text(t)[4:]


@pytest.mark.parametrize(
    ("network", "prompt", "account", "ref"),
    [
        ("6", "CON Enter Smile account ID:", "1402000567", "1402000567"),
        ("7", "CON Enter Spectranet account no.:", "1212121212", "1212121212"),
    ],
)
def test_account_billed_services_ask_for_the_account(network, prompt, account, ref):
    assert text(walk("2", network, "1")) == lines(prompt, NAV)
    t = walk("2", network, "1", account)
    assert f"Account {ref}" in text(t)
    effect = feed(t, "1357").effects[0]
    assert isinstance(effect, SubmitPurchase)
    assert (effect.order.customer_ref, effect.order.phone) == (ref, PHONE)


def test_a_bad_account_number_re_prompts():
    assert text(walk("2", "6", "1", "12")).startswith("CON Invalid number.\nEnter Smile")


def test_a_network_without_plans_says_so():
    plans = {**VARIATIONS, "glo-data": ()}
    base = full_catalog()
    services = [s for c in CATEGORIES for s in base.services(c.identifier)]
    catalog = CatalogueSnapshot.build(CATEGORIES, services, plans)
    t = feed(start(catalog=catalog), "2", "2", catalog=catalog)
    assert text(t) == lines("CON No Glo Data plans now.", NAV)
    assert text(feed(t, "1", catalog=catalog)).startswith("CON Invalid choice.\nNo Glo Data")
