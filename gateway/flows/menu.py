"""The main menu: the product categories the catalogue has, wallet, and "buy again".

Keys are fixed (1 Airtime ... 6 Wallet, 7 Buy again) so dial-string shortcuts and habits keep
working; a category missing from the catalogue just loses its line. "7 Buy again" lists the
caller's last delivered purchases, each with today's price and its recipient (a main menu line
has no room for both). Also the "continue where you stopped?" screen after a dropped session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from gateway.flows import airtime, data, education, electricity, fund, repeat, tv, wallet
from gateway.flows.catalogue import AIRTIME, DATA, EDUCATION, ELECTRICITY, TV
from gateway.flows.model import Conversation, FlowName, Frame, Option, Order, Screen
from gateway.flows.screens import clip, safe
from gateway.flows.steps import (
    HOME_STEP,
    STACK_LIMIT,
    Ctx,
    Flow,
    Hint,
    Move,
    back,
    choose,
    goto,
    home,
    ignore_event,
    list_pick,
    list_screen,
    local,
    stay,
)

RESUME = "resume"
# Continuing a dropped session shows its screen again; these flows' screens show data loaded by
# an effect (a balance), which is loaded again rather than shown as it was minutes ago.
_REFRESH: Mapping[FlowName, Callable[[Conversation], Move]] = {
    FlowName.WALLET: wallet.refreshed,
    FlowName.FUND: fund.refreshed,
}
AGAIN = "again"
TITLE = "PayLink"
AGAIN_KEY = "7"
AGAIN_TITLE = "Buy again:"
AGAIN_WIDTH = 38  # three lines, "0 Back" and a hint fit a screen (no "00": 0 is the menu)

_ENTRIES: tuple[tuple[str, str, str | None, Callable[[Conversation, Ctx], Move]], ...] = (
    ("1", "Airtime", AIRTIME, airtime.start),
    ("2", "Data", DATA, data.start),
    ("3", "Electricity", ELECTRICITY, electricity.start),
    ("4", "TV", TV, tv.start),
    ("5", "Exam PINs", EDUCATION, education.start),
    ("6", "Wallet", None, wallet.start),
)

FLOW_LABELS: Mapping[FlowName, str] = {
    FlowName.AIRTIME: "buying airtime",
    FlowName.DATA: "buying data",
    FlowName.ELECTRICITY: "paying for electricity",
    FlowName.TV: "paying for TV",
    FlowName.EDUCATION: "buying exam PINs",
    FlowName.WALLET: "in your wallet",
    FlowName.FUND: "in your wallet",
    FlowName.CHECKOUT: "confirming a purchase",
}


Entry = tuple[str, str, Callable[[Conversation, Ctx], Move]]


def _entries(ctx: Ctx) -> tuple[Entry, ...]:
    # they depend only on the catalogue snapshot, which changes every few minutes while the
    # menu is drawn or read on most hops
    return ctx.memo(("menu-entries", ctx.catalog.version), lambda: _build_entries(ctx))


def _build_entries(ctx: Ctx) -> tuple[Entry, ...]:
    return tuple(
        (key, label, start)
        for key, label, category, start in _ENTRIES
        if category is None or ctx.catalog.services(category)
    )


def again_label(order: Order, total: int | None, ctx: Ctx) -> str:
    """`MTN Airtime N500 to 08031234567`: what, today's price (if known before a verify), and
    who it went to. The recipient is never cut; the product name gives way first.
    """
    recipient = "to " + safe(order.customer_ref or local(order.phone), 20)
    price = "" if total is None else f" {ctx.money(total)}"
    room = max(4, AGAIN_WIDTH - len(recipient) - len(price) - 1)
    return f"{clip(safe(order.label or order.service_id, 40), room)}{price} {recipient}"


def _again_labels(conv: Conversation, ctx: Ctx) -> list[str]:
    return [
        again_label(order, repeat.shown_total(order, ctx.catalog), ctx)
        for order in conv.caller.recent
    ]


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    if conv.step == RESUME:
        doing = next(
            (label for flow, label in FLOW_LABELS.items() if flow.value == conv.data.get("doing")),
            "on PayLink",
        )
        return Screen(f"You were {doing}.", (Option("1", "Continue"), Option("2", "Main menu")))
    if conv.step == AGAIN:
        return list_screen(conv, ctx, AGAIN_TITLE, _again_labels(conv, ctx), home=False)
    # drawn on most first hops and every "00": one per (catalogue, channel, has history)
    again = bool(conv.caller.recent)
    key = ("main-menu", ctx.catalog.version, ctx.profile, again)
    return ctx.memo(key, lambda: _main_menu(ctx, again))


def _main_menu(ctx: Ctx, again: bool) -> Screen:
    options = [Option(key, label) for key, label, _ in _entries(ctx)]
    if again:
        options.append(Option(AGAIN_KEY, "Buy again"))
    return Screen(TITLE, tuple(options))


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    if conv.step == RESUME:
        picked = choose(text, 2)
        if picked == 0:
            resumed = back(conv)
            if resumed is None:
                return Move(home(conv))
            return _REFRESH.get(resumed.flow, Move)(resumed)
        if picked == 1:
            return Move(home(conv))
        return stay(conv, Hint.INVALID_CHOICE)
    recent = conv.caller.recent
    if conv.step == AGAIN:
        index = list_pick(conv, ctx, AGAIN_TITLE, _again_labels(conv, ctx), text, home=False)
        if index is None:
            return stay(conv, Hint.INVALID_CHOICE)
        return repeat.buy_again(conv, ctx, recent[index])
    for key, _, start in _entries(ctx):
        if text == key:
            return start(conv, ctx)
    if text == AGAIN_KEY and recent:
        return Move(goto(conv, AGAIN))
    return stay(conv, Hint.INVALID_CHOICE)


def offer_resume(conv: Conversation, dropped: Conversation, flows: Mapping[FlowName, Flow]) -> Move:
    """Offer to continue `dropped` (same caller, a real step in a product flow); else home."""
    flow = flows.get(dropped.flow)
    if (
        flow is None
        or dropped.flow not in FLOW_LABELS
        or dropped.caller.phone != conv.caller.phone
        or dropped.step not in flow.steps
    ):
        return Move(conv)
    if dropped.step in flow.waiting:  # an effect was in flight: go back to the step before it
        previous = back(dropped)
        if previous is None or previous.flow not in FLOW_LABELS:
            return Move(conv)
        dropped = previous
    frame = Frame(dropped.flow, dropped.step, dropped.data, dropped.intent_id)
    offer = replace(
        conv,
        step=RESUME,
        data={"doing": dropped.flow.value},
        stack=(*dropped.stack, frame)[-STACK_LIMIT:],
        minted=max(conv.minted, dropped.minted),
    )
    return Move(offer)


FLOW = Flow(
    steps=frozenset({HOME_STEP, RESUME, AGAIN}),
    prompt=prompt,
    handle=handle,
    on_event=ignore_event,
)
