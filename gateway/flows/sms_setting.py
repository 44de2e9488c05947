"""The "SMS purchases" setting (wallet menu): buying by text message, off until turned on here.

Why PIN-confirmed and off by default: an SMS can be sent in the owner's name from another
handset far more easily than a USSD session, so the owner opts in once, proving it with the
PIN, before a text command may lead to a purchase. The PIN goes only into `SetSmsPurchases`
(checked like any PIN, counting toward the lock); the conversation never holds it.
"""

from __future__ import annotations

from gateway.flows.model import (
    Conversation,
    Event,
    FlowName,
    Option,
    PinRejected,
    Screen,
    SetSmsPurchases,
    SmsPurchasesSet,
)
from gateway.flows.steps import (
    WAITING,
    Ctx,
    Flow,
    Hint,
    Move,
    back,
    choose,
    end,
    goto,
    shift,
    stay,
    wrong_pin,
)
from gateway.pin_policy import is_pin_format

CHOOSE = "choose"
PIN = "pin"
SAVING = "saving"
ON = "on"  # data key: "1" turning on, "0" turning off

TITLE = "SMS purchases: buy by text, e.g. AIRTIME 500, and pay with your PIN."
TURNED_ON = "SMS purchases are on. Text HELP to PayLink to see the commands."
TURNED_OFF = "SMS purchases are off. Text commands can no longer buy."


def start(conv: Conversation, _ctx: Ctx) -> Move:
    return Move(goto(conv, CHOOSE, flow=FlowName.SMS_SETTING))


def prompt(conv: Conversation, _ctx: Ctx) -> Screen:
    if conv.step == SAVING:
        return Screen(WAITING, expects_input=False)
    if conv.step == PIN:
        doing = "on" if conv.data.get(ON) == "1" else "off"
        return Screen(f"Enter PIN to turn SMS purchases {doing}:", back=True, home=True)
    options = (Option("1", "Turn on"), Option("2", "Turn off"))
    return Screen(TITLE, options, back=True, home=True)


def handle(conv: Conversation, text: str, _ctx: Ctx) -> Move:
    if conv.step == CHOOSE:
        picked = choose(text, 2)
        if picked is None:
            return stay(conv, Hint.INVALID_CHOICE)
        return Move(goto(conv, PIN, updates={ON: "1" if picked == 0 else "0"}))
    if conv.step == PIN:
        if not is_pin_format(text):
            return stay(conv, Hint.PIN_FORMAT)
        effect = SetSmsPurchases(enabled=conv.data.get(ON) == "1", pin=text)
        return Move(goto(conv, SAVING), effects=(effect,))
    return stay(conv, Hint.INVALID_CHOICE)


def on_event(conv: Conversation, event: Event, _ctx: Ctx) -> Move:
    if conv.step != SAVING:
        return Move(conv)
    if isinstance(event, SmsPurchasesSet):
        return end(TURNED_ON if event.enabled else TURNED_OFF)
    if isinstance(event, PinRejected):
        return Move(back(conv) or shift(conv, PIN), hint=wrong_pin(event.attempts_left))
    return Move(conv)


FLOW = Flow(
    steps=frozenset({CHOOSE, PIN, SAVING}),
    prompt=prompt,
    handle=handle,
    on_event=on_event,
    waiting=frozenset({SAVING}),
    pin_steps=frozenset({PIN}),
)
