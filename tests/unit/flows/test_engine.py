"""`advance`: first contact, the global keys 0 / 00 / 98, endings, stale results, resuming."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gateway.flows.catalogue import CatalogueSnapshot
from gateway.flows.engine import advance
from gateway.flows.model import (
    BalanceLoaded,
    Conversation,
    CustomerVerified,
    FlowName,
    HistoryItem,
    HistoryLoaded,
    LoadBalance,
    LoadHistory,
    PinLocked,
    PurchaseAccepted,
    ServiceUnavailable,
    SubmitPurchase,
    UserInput,
)
from gateway.flows.screens import TELEGRAM
from gateway.flows.steps import STACK_LIMIT
from gateway.pin_policy import RESET_HINT
from tests.unit.flows.catalogue_data import CATALOG, CATEGORIES, VARIATIONS, full_catalog
from tests.unit.flows.helpers import MENU, NAV, feed, lines, start, text, walk

AIRTIME_FOR = lines("CON Buy airtime for:", "1 My number", "2 Another number", NAV)
AMOUNT = lines("CON MTN airtime for 08031234567", "Enter amount (N50-N50,000):", NAV)


def test_first_contact_of_a_registered_caller_shows_the_main_menu():
    t = start()
    assert text(t) == MENU
    assert t.effects == ()
    assert t.state is not None
    assert (t.state.flow, t.state.step, t.state.stack) == (FlowName.MAIN, "menu", ())


def test_the_main_menu_follows_the_catalogue():
    no_exams = CatalogueSnapshot.build(
        [c for c in CATEGORIES if c.identifier != "education"],
        [s for c in CATEGORIES for s in CATALOG.services(c.identifier)],
        VARIATIONS,
    )
    t = start(catalog=no_exams)
    assert text(t) == lines(
        "CON PayLink", "1 Airtime", "2 Data", "3 Electricity", "4 TV", "6 Wallet"
    )
    assert text(feed(t, "5", catalog=no_exams)).startswith("CON Invalid choice.\nPayLink")


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["1", "00"], MENU),
        (["1", "1", "00"], MENU),
        (["1", "0"], MENU),
        (["1", "1", "0"], AIRTIME_FOR),
        (["1", "2", "0"], AIRTIME_FOR),
        (["0"], MENU),
        (["0", "0", "0"], MENU),
        (["1", "1", " 0 "], AIRTIME_FOR),
    ],
    ids=["home-from-flow", "home-from-deep", "back-to-menu", "back-one", "back-from-phone",
         "back-at-menu", "back-many", "spaces"],
)  # fmt: skip
def test_back_and_home(steps, expected):
    assert text(walk(*steps)) == expected


def test_home_clears_the_back_stack():
    t = walk("1", "1", "00")
    assert t.state is not None
    assert t.state.stack == ()


def test_98_is_ordinary_input_where_the_screen_has_no_more():
    t = walk("1", "1", "98")
    assert text(t).startswith("CON MTN airtime N98\nTo 08031234567\n")


def test_98_on_the_last_page_is_an_invalid_choice():
    t = walk("3", "98")
    assert "98 More" not in text(t)
    assert text(feed(t, "98")).startswith("CON Invalid choice.\nChoose your disco:")


def test_a_bad_input_re_prompts_with_a_hint_and_keeps_the_state():
    before = walk("1")
    after = feed(before, "7")
    assert text(after) == lines("CON Invalid choice.", AIRTIME_FOR[4:])
    assert after.state == before.state


@pytest.mark.parametrize("raw", ["", " ", "*", "1*2", "x" * 500, "١", "\n"])
def test_odd_inputs_are_invalid_choices(raw):
    assert text(walk("1", raw)).startswith("CON Invalid choice.\nBuy airtime for:")


def test_an_input_while_a_result_is_awaited_goes_back_to_the_step_before():
    t = walk("3", "1", "1", "1111111111111")
    assert t.state is not None
    assert t.state.step == "verifying"
    assert text(feed(t, "1")) == lines("CON Enter prepaid meter number:", NAV)


def test_service_unavailable_ends_politely_from_any_step():
    t = walk("3", "1", "1", "1111111111111", ServiceUnavailable())
    assert t.state is None
    assert text(t) == "END Sorry, we cannot serve you right now. Please try again later."


def test_pin_locked_ends_with_the_unlock_time_in_lagos():
    t = walk("1", "1", "500", "1357", PinLocked(datetime(2026, 1, 5, 13, 30, tzinfo=UTC)))
    assert text(t) == (
        f"END PIN locked until 14:30 after too many wrong PINs. Forgot it? {RESET_HINT}"
    )
    assert t.state is None


def test_pin_locked_until_reset_ends_with_how_to_reset_in_one_screen():
    t = walk("1", "1", "500", "1357", PinLocked(None))
    assert text(t) == f"END PIN locked after too many wrong PINs. {RESET_HINT}"
    assert len(text(t)) <= 160
    assert t.state is None


def test_naive_lock_time_is_read_as_utc():
    t = walk("1", "1", "500", "1357", PinLocked(datetime(2026, 1, 5, 23, 45)))  # noqa: DTZ001
    assert text(t).startswith("END PIN locked until 00:45 after too many wrong PINs.")


def test_a_result_nobody_waits_for_changes_nothing():
    before = walk("1")
    for stale in (CustomerVerified("X"), PurchaseAccepted(), BalanceLoaded(5)):
        after = feed(before, stale)
        assert after.state == before.state
        assert text(after) == AIRTIME_FOR


def test_after_the_end_every_hop_says_the_session_has_ended():
    t = walk("1", "1", "500", "1357", PurchaseAccepted())
    assert t.state is None
    assert text(feed(t, "1")) == "END Your session has ended. Please dial again."


@pytest.mark.parametrize(
    "broken",
    [
        {"step": "no-such-step"},
        {"flow": FlowName.TV, "step": "menu"},
    ],
)
def test_a_conversation_in_an_unknown_step_goes_home(broken):
    t = start()
    assert t.state is not None
    conv = replace(t.state, **broken)
    assert text(advance(conv, UserInput("1"), CATALOG)) == MENU


def test_the_back_stack_is_bounded():
    t = walk("1", *(["1", "1"] * 5), *(["2", "0803"] * 10))
    assert t.state is not None
    assert len(t.state.stack) <= STACK_LIMIT


def test_other_channels_get_their_own_money_format():
    t = feed(start(profile=TELEGRAM), "1", "1", "500", profile=TELEGRAM)
    assert text(t, TELEGRAM).startswith("MTN airtime ₦500.00\n")


# -- resuming a dropped session ------------------------------------------------------------------


_ITEM = HistoryItem("MTN Airtime", 50_000, "pending", None, "08031234567")


def _dropped(*steps: str | object) -> Conversation:
    t = walk(*steps)  # type: ignore[arg-type]
    assert t.state is not None
    return t.state


def test_a_dropped_session_is_offered_and_continued():
    dropped = _dropped("1", "1")
    t = start(resumable=dropped)
    assert text(t) == "CON You were buying airtime.\n1 Continue\n2 Main menu"
    assert text(feed(t, "1")) == AMOUNT
    assert text(feed(t, "1", "0")) == AIRTIME_FOR
    assert text(feed(t, "2")) == MENU
    assert text(feed(t, "3")).startswith("CON Invalid choice.\nYou were buying airtime.")


def test_resuming_at_the_confirm_screen_keeps_its_intent_id():
    dropped = _dropped("1", "1", "500")
    t = feed(start(resumable=dropped), "1")
    assert t.state is not None
    assert t.state.intent_id == dropped.intent_id
    paid = feed(t, "1357")
    assert isinstance(paid.effects[0], SubmitPurchase)
    assert paid.effects[0].intent_id == dropped.intent_id


def test_a_session_dropped_while_paying_resumes_on_its_confirm_screen():
    dropped = _dropped("1", "1", "500", "1357")
    assert dropped.step == "paying"
    t = feed(start(resumable=dropped), "1")
    assert t.state is not None
    assert (t.state.step, t.state.intent_id) == ("confirm", dropped.stack[-1].intent_id)
    assert t.state.intent_id is not None


def test_a_session_waiting_on_the_balance_resumes_on_the_wallet_menu():
    t = feed(start(resumable=_dropped("6", "1")), "1")
    assert text(t).startswith("CON Wallet:")


def test_a_resumed_balance_screen_loads_the_balance_again():
    # the dropped screen said N100; a purchase settled since: the stored figure is never shown
    dropped = _dropped("6", "1", BalanceLoaded(10_000))
    t = feed(start(resumable=dropped), "1")
    assert t.effects == (LoadBalance(),)
    assert text(t) == "CON Please wait..."
    assert text(feed(t, BalanceLoaded(2_500))) == "CON Wallet balance: N25\n0 Back\n00 Main menu"
    assert text(feed(t, BalanceLoaded(2_500), "0")).startswith("CON Wallet:")


@pytest.mark.parametrize(
    "steps",
    [("6", "2", HistoryLoaded(())), ("6", "2", HistoryLoaded((_ITEM,)), "1")],
    ids=["history", "detail"],
)
def test_a_resumed_purchase_list_loads_it_again(steps):
    t = feed(start(resumable=_dropped(*steps)), "1")
    assert t.effects == (LoadHistory(5),)
    fresh = feed(t, HistoryLoaded((replace(_ITEM, status="delivered"),)))
    assert text(fresh).startswith("CON Last purchases:\n1 MTN Airtime N500 Done")
    assert text(feed(fresh, "0")).startswith("CON Wallet:")


def test_a_resumed_screen_without_loaded_data_is_shown_as_it_was():
    dropped = _dropped("6")
    t = feed(start(resumable=dropped), "1")
    assert t.effects == ()
    assert text(t).startswith("CON Wallet:")


@pytest.mark.parametrize(
    "steps",
    [(), ("0",), ("6", "1", BalanceLoaded(1)), ("1", "1", "500", "1357", PurchaseAccepted())],
    ids=["at-menu", "at-menu-after-back", "balance-shown", "finished"],
)
def test_nothing_worth_resuming_is_not_offered(steps):
    t = walk(*steps)
    if t.state is not None and t.state.flow is FlowName.WALLET:
        t = feed(t, "0", "0")  # back on the main menu
    dropped = t.state
    offered = start(resumable=dropped)
    assert text(offered) == MENU


def test_another_callers_session_is_never_offered():
    dropped = replace(
        _dropped("1", "1"), caller=replace(_dropped("1").caller, phone="+2348051234567")
    )
    assert text(start(resumable=dropped)) == MENU


def test_a_product_vtpass_adds_appears_without_new_code():
    from gateway.flows.catalogue import Service

    new = Service("ntel-data", "Ntel Data", "data", "fix")
    base = full_catalog()
    services = [s for c in CATEGORIES for s in base.services(c.identifier)] + [new]
    plans = {**VARIATIONS, "ntel-data": VARIATIONS["glo-data"][:1]}
    catalog = CatalogueSnapshot.build(CATEGORIES, services, plans)
    t = feed(start(catalog=catalog), "2", "98", catalog=catalog)
    assert "Ntel Data" in text(t)


def test_the_balance_effect_and_its_result():
    t = walk("6", "1")
    assert t.effects == (LoadBalance(),)
    assert text(feed(t, BalanceLoaded(150050))) == lines("CON Wallet balance: N1,500.50", NAV)
