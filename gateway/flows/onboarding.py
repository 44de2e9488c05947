"""First contact: an unknown phone (or a user without a PIN) sets a 4-digit PIN, entered twice.

The first entry is checked against the weak-PIN rules and handed to the coordinator in
`StagePin` (it keeps a keyed HMAC, never the PIN); the second goes in `RegisterUser`, which
creates the user if needed and saves the PIN only if it matches the staged one. The
conversation never holds either entry.
"""

from __future__ import annotations

from dataclasses import replace

from gateway.flows.model import (
    Conversation,
    Event,
    PinMismatch,
    PinSet,
    RegisterUser,
    Screen,
    StagePin,
)
from gateway.flows.steps import (
    ONBOARDING_STEP,
    WAITING,
    Ctx,
    Flow,
    Hint,
    Move,
    goto,
    home,
    shift,
    stay,
)
from gateway.pin_policy import is_pin_format, is_weak_pin

PIN = ONBOARDING_STEP
AGAIN = "again"
SAVING = "saving"


def prompt(conv: Conversation, _ctx: Ctx) -> Screen:
    if conv.step == AGAIN:
        return Screen("Enter the PIN again:", back=True)
    if conv.step == SAVING:
        return Screen(WAITING, expects_input=False)
    return Screen("Welcome to PayLink!\nCreate a 4-digit PIN for your payments:")


def handle(conv: Conversation, text: str, _ctx: Ctx) -> Move:
    if not is_pin_format(text):
        return stay(conv, Hint.PIN_FORMAT)
    if conv.step == AGAIN:
        return Move(shift(conv, SAVING), effects=(RegisterUser(conv.caller.phone, text),))
    if is_weak_pin(text, conv.caller.phone):
        return stay(conv, Hint.WEAK_PIN)
    return Move(goto(conv, AGAIN), effects=(StagePin(text),))


def on_event(conv: Conversation, event: Event, _ctx: Ctx) -> Move:
    if conv.step != SAVING:
        return Move(conv)
    if isinstance(event, PinSet):
        registered = replace(conv, caller=replace(conv.caller, has_pin=True))
        return Move(home(registered), hint=Hint.PIN_SAVED)
    if isinstance(event, PinMismatch):
        return Move(home(conv), hint=Hint.PIN_MISMATCH)  # no PIN yet: back to the first entry
    return Move(conv)


FLOW = Flow(
    steps=frozenset({PIN, AGAIN, SAVING}),
    prompt=prompt,
    handle=handle,
    on_event=on_event,
    waiting=frozenset({SAVING}),
    pin_steps=frozenset({PIN, AGAIN}),
)
