"""The main menu: the product categories the catalogue has, wallet, and "buy again".

Keys are fixed (1 Airtime ... 6 Wallet, 7-9 the last three purchases) so dial-string shortcuts
and habits keep working; a category missing from the catalogue just loses its line.
Also the "continue where you stopped?" screen offered after a dropped session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from gateway.flows import airtime, data, education, electricity, repeat, tv, wallet
from gateway.flows.catalog import AIRTIME, DATA, EDUCATION, ELECTRICITY, TV
from gateway.flows.memo import ByIdentity
from gateway.flows.model import Conversation, FlowName, Frame, Option, Order, Screen
from gateway.flows.screens import clip, safe, size
from gateway.flows.steps import (
    HOME_STEP,
    STACK_LIMIT,
    Ctx,
    Flow,
    Hint,
    Move,
    back,
    choose,
    home,
    ignore_event,
    stay,
)

RESUME = "resume"
TITLE = "PayLink"
MENU_HINT_MAX = 15  # hints shown on the main menu are this short, leaving room for buy-again
REPEAT_KEYS = ("7", "8", "9")

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
    FlowName.CHECKOUT: "confirming a purchase",
}


Entry = tuple[str, str, Callable[[Conversation, Ctx], Move]]
# The main menu's entries depend only on the catalogue snapshot, which changes every few
# minutes while the menu is drawn or read on most hops.
_ENTRIES_BY_SNAPSHOT: ByIdentity[tuple[Entry, ...]] = ByIdentity(2)


def _entries(ctx: Ctx) -> tuple[Entry, ...]:
    known = _ENTRIES_BY_SNAPSHOT.get(ctx.catalog)
    if known is not None:
        return known
    entries = tuple(
        (key, label, start)
        for key, label, category, start in _ENTRIES
        if category is None or ctx.catalog.services(category)
    )
    return _ENTRIES_BY_SNAPSHOT.put(ctx.catalog, entries)


# The main menu, kept per tuple of recent orders (one per phone line, shared by its sessions:
# see `conversations/lines.py` and the engine's `_start`), entries and profile: it is drawn on
# most dials and every "00", and drawing the "buy again" lines was most of a menu hop's engine
# time for callers with purchase history.
_HOME: ByIdentity[Screen] = ByIdentity(4096)


def _again_totals(orders: tuple[Order, ...], ctx: Ctx) -> tuple[int | None, ...]:
    """Today's price of each "buy again" entry (None: known only after a verify)."""
    return tuple(repeat.shown_total(o, ctx.catalog) for o in orders[: len(REPEAT_KEYS)])


def _draw_again_labels(
    orders: tuple[Order, ...], totals: tuple[int | None, ...], ctx: Ctx, width: int
) -> list[str]:
    """Lines like `Again MTN Airtime N500` if all of them fit `width`, else all without `Again`."""
    plain = [
        (safe(o.label or o.service_id, 40), "" if total is None else " " + ctx.money(total))
        for o, total in zip(orders, totals, strict=False)
    ]
    if all(len(label) + len(price) + 6 <= width for label, price in plain):
        return [f"Again {label}{price}" for label, price in plain]
    return [
        clip(f"{clip(label, max(4, width - len(price)))}{price}", width) for label, price in plain
    ]


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    if conv.step == RESUME:
        doing = next(
            (label for flow, label in FLOW_LABELS.items() if flow.value == conv.data.get("doing")),
            "on PayLink",
        )
        return Screen(f"You were {doing}.", (Option("1", "Continue"), Option("2", "Main menu")))
    entries, recent = _entries(ctx), conv.caller.recent
    # prices are today's (a plan's price changes with the catalogue), so they are in the key
    key = (entries, ctx.profile, _again_totals(recent, ctx))
    known = _HOME.get(recent, key)
    if known is not None:
        return known
    return _HOME.put(recent, _draw_home(entries, recent, ctx, key[2]), key)


def _draw_home(
    entries: tuple[Entry, ...],
    recent: tuple[Order, ...],
    ctx: Ctx,
    totals: tuple[int | None, ...],
) -> Screen:
    options = [Option(key, label) for key, label, _ in entries]
    recent = recent[: len(REPEAT_KEYS)]
    if recent:
        fixed = size(TITLE, ctx.profile) + sum(
            size(f"{o.key} {o.label}", ctx.profile) + 1 for o in options
        )
        room = ctx.profile.max_chars - (4 if ctx.profile.prefix else 0) - (MENU_HINT_MAX + 1)
        width = min(40, (room - fixed) // len(recent) - 3)  # newline and "7 "
        labels = _draw_again_labels(recent, totals, ctx, width)
        options += [Option(key, label) for key, label in zip(REPEAT_KEYS, labels, strict=False)]
    return Screen(TITLE, tuple(options))


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    if conv.step == RESUME:
        picked = choose(text, 2)
        if picked == 0:
            return Move(back(conv) or home(conv))
        if picked == 1:
            return Move(home(conv))
        return stay(conv, Hint.INVALID_CHOICE)
    for key, _, start in _entries(ctx):
        if text == key:
            return start(conv, ctx)
    if text in REPEAT_KEYS:
        index = REPEAT_KEYS.index(text)
        if index < len(conv.caller.recent):
            return repeat.buy_again(conv, ctx, conv.caller.recent[index])
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
    steps=frozenset({HOME_STEP, RESUME}),
    prompt=prompt,
    handle=handle,
    on_event=ignore_event,
)
