"""Screens as Telegram messages: buttons that carry only option keys, text Telegram accepts.

The property test walks the real flows (Telegram profile, the full sandbox catalogue) through
random taps and typed inputs, with plausible results for every effect, and renders every
screen: each must be a message Telegram takes (HTML that parses, 1 to 4,096 characters), every
option must be a button, and every button's data must be one of that screen's own keys.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.channels.telegram_render import (
    PARSE_MODE,
    PIN_NOTE,
    callback_data,
    key_of,
    render,
)
from gateway.flows.engine import FLOWS, advance
from gateway.flows.model import (
    CustomerVerified,
    Option,
    Screen,
    SessionStarted,
    Transition,
    UserInput,
)
from gateway.flows.screens import TELEGRAM
from tests.fixtures.fake_bot_api import ApiError, visible_text
from tests.unit.flows import helpers
from tests.unit.flows.catalogue_data import CATALOG
from tests.unit.flows.test_properties import inputs, orders, phones, result_for

NAV_KEYS = {"98", "0", "00"}


def _buttons(screen: Screen) -> list[tuple[str, str]]:
    keyboard = render(screen).keyboard
    rows = keyboard.inline_keyboard if keyboard is not None else ()
    return [(b.text, str(b.callback_data)) for row in rows for b in row]


def test_options_become_buttons_that_carry_only_their_key():
    screen = Screen("Pick a network:", (Option("1", "MTN"), Option("2", "Glo")), back=True)
    assert _buttons(screen) == [("MTN", "k:1"), ("Glo", "k:2"), ("Back", "k:0")]
    assert render(screen).text == "Pick a network:"  # the options are not repeated as text


def test_more_back_and_menu_are_buttons_too():
    screen = Screen("Plans:", (Option("1", "1GB"),), more=True, back=True, home=True)
    assert _buttons(screen)[-3:] == [("More", "k:98"), ("Back", "k:0"), ("Menu", "k:00")]


def test_long_labels_take_a_row_each_and_short_ones_share_rows():
    short = Screen("Menu", tuple(Option(str(n), f"Item {n}") for n in range(1, 5)))
    long = Screen("Plans", tuple(Option(str(n), f"MTN Data {n}GB - 30 days") for n in (1, 2)))
    assert [len(row) for row in render(short).keyboard.inline_keyboard] == [2, 2]
    assert [len(row) for row in render(long).keyboard.inline_keyboard] == [1, 1]


def test_the_markup_sent_is_the_one_ptb_would_send_for_the_keyboard():
    screen = Screen("Plans:", (Option("1", "1GB"), Option("2", "2GB")), more=True, back=True)
    rendered = render(screen)
    assert rendered.keyboard is not None
    assert rendered.markup == rendered.keyboard.to_dict()


def test_a_screen_without_buttons_has_no_markup():
    rendered = render(Screen("Enter amount:"))
    assert (rendered.keyboard, rendered.markup) == (None, None)


def test_an_ending_offers_only_a_menu_button():
    assert _buttons(Screen("Request received.", ends=True)) == [("Menu", "k:00")]


def test_the_hint_is_bold_above_the_message():
    assert render(Screen("Enter amount:", hint="Invalid amount.")).text == (
        "<b>Invalid amount.</b>\nEnter amount:"
    )


def test_a_customer_name_from_outside_is_escaped_for_html():
    name = "Ade <b>&</b> Sons > Co"
    text = render(Screen(f"Meter owner: {name}\nPay ₦1,500.00?")).text
    assert visible_text(text, PARSE_MODE) == f"Meter owner: {name}\nPay ₦1,500.00?"


def test_a_pin_screen_says_the_pin_will_be_deleted():
    assert PIN_NOTE in render(Screen("Enter PIN to pay:", secret=True)).text
    assert PIN_NOTE not in render(Screen("Enter amount:")).text


def test_button_data_is_refused_for_anything_but_an_option_key():
    for not_a_key in ("500", "2580", "", "k", "1a", "mtn"):
        try:
            callback_data(not_a_key)
        except ValueError:
            continue
        raise AssertionError(f"{not_a_key!r} made button data")


def test_only_data_this_bot_made_is_read_back_as_a_key():
    assert key_of("k:7") == "7"
    assert key_of("k:00") == "00"
    for foreign in (None, "", "7", "k:", "k:500", "k:1 ", "x:1", "k:2580"):
        assert key_of(foreign) is None, foreign


def test_every_pin_step_of_every_flow_is_marked_secret():
    pin_steps = {(name, step) for name, flow in FLOWS.items() for step in flow.pin_steps}
    assert len(pin_steps) >= 6  # onboarding twice, checkout, change PIN three times
    start = SessionStarted(phone="+2348031234567", seed="s", has_pin=False)
    t = advance(None, start, CATALOG, TELEGRAM)
    assert (t.state.flow, t.state.step) in pin_steps
    assert t.reply.secret
    menu = advance(None, SessionStarted("+2348031234567", "s", has_pin=True), CATALOG, TELEGRAM)
    assert not menu.reply.secret


def _chat_screen(*steps: str | CustomerVerified) -> str:
    """What the chat shows after `steps` from the main menu (Telegram profile)."""
    return visible_text(
        render(helpers.feed(helpers.start(profile=TELEGRAM), *steps, profile=TELEGRAM).reply).text,
        PARSE_MODE,
    )


def test_a_confirm_screen_in_the_chat_keeps_the_amount_whole():
    verified = CustomerVerified(name="TESTMETER1", address="ABULE EGBA BU ABULE")
    screen = _chat_screen("3", "1", "1", "1111111111111", verified, "2000")
    assert screen.split("\n")[:4] == [
        "Ikeja (IKEDC) Prepaid",  # USSD's 30 characters cut this line to "₦2,000.."
        "Meter 1111111111111",
        "TESTMETER1",
        "₦2,000.00 + ₦100.00 fee = ₦2,100.00",
    ]


def test_a_confirm_screen_in_the_chat_keeps_the_profile_id_whole():
    screen = _chat_screen("5", "3", "2", "0123456789", CustomerVerified(name="Capital James"))
    assert screen.split("\n")[:3] == [
        "JAMB UTME PIN (without mock)",
        "₦6,200.00 for profile 0123456789",  # USSD's 30 characters cut it to "012345.."
        "Capital James",
    ]


def test_a_long_bouquet_name_is_shown_whole_in_the_chat():
    verified = CustomerVerified(
        name="ADEBAYO OLUWASEUN", current_bouquet="DStv Premium French + Extra"
    )
    screen = _chat_screen("4", "1", "1212121212", verified)
    assert screen.split("\n")[:2] == ["ADEBAYO OLUWASEUN", "Now: DStv Premium French + Extra"]


def _check(t: Transition) -> None:
    """The screen renders to a message Telegram accepts, with buttons as the tests demand."""
    rendered = render(t.reply)
    try:
        visible = visible_text(rendered.text, PARSE_MODE)
    except ApiError as exc:  # what Telegram would answer: the message is never shown
        raise AssertionError(f"Telegram refuses {rendered.text!r}: {exc.description}") from exc
    assert 1 <= len(visible) <= 4096
    buttons = _buttons(t.reply)
    own_keys = {o.key for o in t.reply.options} | NAV_KEYS
    for label, data in buttons:
        assert label
        assert len(data.encode()) <= 64
        assert re.fullmatch(r"k:[0-9]{1,2}", data), data
        assert key_of(data) in own_keys, (data, t.reply)
    if not t.reply.ends:
        assert {o.key for o in t.reply.options} <= {key_of(d) for _, d in buttons}
    state = t.state
    asks_pin = state is not None and state.step in FLOWS[state.flow].pin_steps
    assert t.reply.secret == asks_pin


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_screen_of_any_journey_is_a_message_telegram_accepts(data: st.DataObject) -> None:
    def settle(t: Transition) -> Transition:
        _check(t)
        for _ in range(3):
            results = [r for r in (result_for(e, data) for e in t.effects) if r is not None]
            if not results:
                return t
            t = advance(t.state, results[0], CATALOG, TELEGRAM)
            _check(t)
        raise AssertionError("effects kept coming")

    def start() -> Transition:
        event = SessionStarted(
            phone=data.draw(phones),
            seed=data.draw(st.text(min_size=1, max_size=20)),
            has_pin=data.draw(st.booleans()),
            recent=data.draw(st.lists(orders, max_size=4).map(tuple)),
        )
        return settle(advance(None, event, CATALOG, TELEGRAM))

    t = start()
    for _ in range(30):
        if t.state is None:
            t = start()
            continue
        # mostly taps on the screen's own buttons (to get deep), sometimes anything typed
        keys = [o.key for o in t.reply.options] + ["0", "00", "98"]
        tapped = st.sampled_from(keys)
        text = data.draw(st.one_of(tapped, tapped, tapped, inputs))
        t = settle(advance(t.state, UserInput(text), CATALOG, TELEGRAM))
