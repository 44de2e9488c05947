"""First contact: a caller without a PIN sets one, twice, and no entry stays in the session."""

from __future__ import annotations

import pytest

from gateway.flows import codec
from gateway.flows.model import (
    Event,
    PinMismatch,
    PinSet,
    RegisterUser,
    StagePin,
    Transition,
)
from tests.unit.flows.helpers import MENU, PHONE, feed, lines, start, text

WELCOME = "CON Welcome to PayLink!\nCreate a 4-digit PIN for your payments:"
AGAIN = "CON Enter the PIN again:\n0 Back"


def new(*steps: str | Event) -> Transition:
    return feed(start(has_pin=False), *steps)


@pytest.mark.parametrize(
    ("steps", "screen", "effects"),
    [
        ((), WELCOME, ()),
        (("1357",), AGAIN, (StagePin("1357"),)),
        (("1357", "1357"), "CON Please wait...", (RegisterUser(PHONE, "1357"),)),
        (("1357", "1357", PinSet()), lines("CON PIN saved.", MENU[4:]), ()),
        (("1357", "1357", PinMismatch()), lines("CON PINs did not match.", WELCOME[4:]), ()),
        (("1357", "0"), WELCOME, ()),
        (("1357", "12"), lines("CON PIN must be 4 digits.", AGAIN[4:]), ()),
    ],
    ids=["welcome", "first", "second", "saved", "mismatch", "back", "bad-second"],
)
def test_pin_set_up(steps, screen, effects):
    t = new(*steps)
    assert text(t) == screen
    assert t.effects == effects


@pytest.mark.parametrize("pin", ["0000", "1234", "9876", "7777", "4567"])
def test_weak_pins_are_refused(pin):
    t = new(pin)
    assert text(t) == lines("CON PIN too easy to guess.", WELCOME[4:])
    assert t.effects == ()


@pytest.mark.parametrize("entry", ["123", "12345", "abcd", "", "00", "98", "1*23"])
def test_malformed_pins_are_refused(entry):
    t = new(entry)
    assert t.effects == ()
    assert text(t) in {lines("CON PIN must be 4 digits.", WELCOME[4:]), WELCOME}


def test_neither_entry_is_ever_in_the_session():
    for t in (new("1357"), new("1357", "1357"), new("1357", "1357", PinSet())):
        assert t.state is not None
        assert "1357" not in codec.dumps(t.state)


def test_main_menu_key_keeps_a_caller_without_pin_in_the_set_up():
    assert text(new("1357", "00")) == WELCOME


def test_after_the_pin_is_saved_the_caller_can_buy():
    t = new("1357", "1357", PinSet(), "1")
    assert text(t).startswith("CON Buy airtime for:")


def test_shortcuts_wait_until_the_pin_is_set():
    assert text(start(has_pin=False, shortcut=("1", "500"))) == WELCOME
