"""Building blocks shared by the flows: context, moves, the back stack, list pages, input parsing.

Why: every flow step is `(conversation, input) -> Move`, and the engine renders the screen of the
state a move lands on (`prompt`), adding the move's one-line hint. Keeping the screen a pure
function of the state is what makes `0` (back), `98` (more) and resuming trivially correct.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from gateway.flows.catalogue import CatalogueSnapshot, Service, Variation
from gateway.flows.memo import Memo, compute
from gateway.flows.model import Conversation, Effect, Event, FlowName, Frame, Option, Screen
from gateway.flows.names import plan_name, priced
from gateway.flows.screens import Profile, clean, clip, paginate
from gateway.money import parse_naira
from gateway.phones import normalize_recipient, to_local

PAGE = "_p"  # data key of the current list page
STACK_LIMIT = 16  # frames kept for `0`; the oldest are dropped first
HOME_STEP = "menu"
ONBOARDING_STEP = "pin"
WAITING = "Please wait..."


@dataclass(frozen=True, slots=True)
class Ctx:
    """What every step may read besides the conversation."""

    catalog: CatalogueSnapshot
    profile: Profile
    sandbox_numbers: bool = False  # recipients may be VTPass's sandbox scenario numbers
    # how to fund a wallet on every channel (`gateway.funding.shared_hint`); None: each
    # channel's own way to the caller's account number (`Profile.fund_hint`)
    funding_hint: str | None = None
    memo: Memo = compute  # the shell's cache for derived values (`gateway.flows.memo`)

    def money(self, amount: int) -> str:
        return self.profile.money(amount)

    @property
    def how_to_fund(self) -> str:
        """What a short wallet is told, in this channel's words unless the deployment's."""
        return self.funding_hint or self.profile.fund_hint


@dataclass(frozen=True, slots=True)
class Move:
    """A step's result. The engine shows `screen` if set (ending screens), else the prompt of
    `state` with `hint` above it."""

    state: Conversation | None
    hint: str | None = None
    effects: tuple[Effect, ...] = ()
    screen: Screen | None = None


@dataclass(frozen=True, slots=True)
class Flow:
    """One flow as the engine sees it: its steps, and three pure functions.

    `waiting` steps await an effect's result (input there goes back); `pin_steps` take a PIN, so
    dial-string shortcuts stop before them.
    """

    steps: frozenset[str]
    prompt: Callable[[Conversation, Ctx], Screen]
    handle: Callable[[Conversation, str, Ctx], Move]
    on_event: Callable[[Conversation, Event, Ctx], Move]
    waiting: frozenset[str] = frozenset()
    pin_steps: frozenset[str] = frozenset()


def ignore_event(conv: Conversation, _event: Event, _ctx: Ctx) -> Move:
    """For flows that run no effects: a stray result just shows the current screen."""
    return Move(conv)


class Hint(StrEnum):
    """Every re-prompt line; each fits `screens.HINT_MAX`."""

    INVALID_CHOICE = "Invalid choice."
    INVALID_AMOUNT = "Invalid amount."
    AMOUNT_LOW = "Amount too low."
    AMOUNT_HIGH = "Amount too high."
    INVALID_PHONE = "Invalid phone number."
    INVALID_NUMBER = "Invalid number."
    INVALID_QUANTITY = "Invalid quantity."
    NOT_FOUND = "Not found. Check number."
    PIN_FORMAT = "PIN must be 4 digits."
    WEAK_PIN = "PIN too easy to guess."
    PIN_MISMATCH = "PINs did not match."
    PIN_SAVED = "PIN saved."
    PIN_CHANGED = "PIN changed."
    UNAVAILABLE = "Not available."


def wrong_pin(attempts_left: int) -> str:
    if attempts_left == 1:
        return "Wrong PIN. 1 try left."
    if 1 < attempts_left < 10:
        return f"Wrong PIN. {attempts_left} tries left."
    return "Wrong PIN."


def ending(message: str) -> Screen:
    return Screen(message, expects_input=False, ends=True)


def end(message: str) -> Move:
    """End the conversation with a final message."""
    return Move(None, screen=ending(message))


def stay(conv: Conversation, hint: str) -> Move:
    """Re-prompt the same screen with a one-line hint."""
    return Move(conv, hint=hint)


# -- moving around -------------------------------------------------------------------------------


def _data(
    conv: Conversation, updates: Mapping[str, str] | None, drop: Iterable[str]
) -> dict[str, str]:
    gone = {PAGE, *drop}
    data = {k: v for k, v in conv.data.items() if k not in gone}
    data.update(updates or {})
    return data


def goto(
    conv: Conversation,
    step: str,
    *,
    flow: FlowName | None = None,
    updates: Mapping[str, str] | None = None,
    drop: Iterable[str] = (),
) -> Conversation:
    """Move forward to `step`, remembering where we were so `0` comes back here."""
    frame = Frame(conv.flow, conv.step, conv.data, conv.intent_id)
    return moved(
        conv,
        flow or conv.flow,
        step,
        _data(conv, updates, drop),
        None,
        (*conv.stack, frame)[-STACK_LIMIT:],
    )


def shift(
    conv: Conversation,
    step: str,
    *,
    updates: Mapping[str, str] | None = None,
    drop: Iterable[str] = (),
) -> Conversation:
    """Change step without a back-stack entry: a waiting step and its outcome are one place."""
    return moved(conv, conv.flow, step, _data(conv, updates, drop), conv.intent_id, conv.stack)


def back(conv: Conversation) -> Conversation | None:
    """The previous page of a list, else the previous screen; None at the bottom of the stack."""
    page = page_of(conv)
    if page > 0:
        data = dict(conv.data)
        if page == 1:
            data.pop(PAGE, None)
        else:
            data[PAGE] = str(page - 1)
        return replace(conv, data=data)
    if not conv.stack:
        return None
    frame = conv.stack[-1]
    return moved(conv, frame.flow, frame.step, dict(frame.data), frame.intent_id, conv.stack[:-1])


def home(conv: Conversation) -> Conversation:
    """The main menu with an empty stack (or the PIN set-up if the caller has no PIN yet)."""
    if not conv.caller.has_pin:
        return moved(conv, FlowName.ONBOARDING, ONBOARDING_STEP, {}, None, ())
    return moved(conv, FlowName.MAIN, HOME_STEP, {}, None, ())


def moved(
    conv: Conversation,
    flow: FlowName,
    step: str,
    data: Mapping[str, str],
    intent_id: str | None,
    stack: tuple[Frame, ...],
) -> Conversation:
    """`conv` at another place, its caller, revision and `minted` kept. What
    `dataclasses.replace` does, at a quarter of its cost: these run several times a hop."""
    return Conversation(flow, step, conv.caller, data, intent_id, conv.rev, stack, conv.minted)


def page_of(conv: Conversation) -> int:
    return to_int(conv.data.get(PAGE)) or 0


def next_page(conv: Conversation) -> Conversation:
    return replace(conv, data={**conv.data, PAGE: str(page_of(conv) + 1)})


# -- lists ---------------------------------------------------------------------------------------


def _page(
    conv: Conversation, ctx: Ctx, message: str, labels: Sequence[str], back: bool, home: bool
) -> tuple[range, bool]:
    pages = paginate(message, labels, ctx.profile, back=back, home=home)
    index = min(page_of(conv), len(pages) - 1)
    return pages[index], index + 1 < len(pages)


def list_screen(
    conv: Conversation,
    ctx: Ctx,
    message: str,
    labels: Sequence[str],
    *,
    back: bool = True,
    home: bool = True,
) -> Screen:
    """The current page of a long list, options numbered 1..k on each page."""
    items, more = _page(conv, ctx, message, labels, back, home)
    options = tuple(Option(str(n), labels[i]) for n, i in enumerate(items, start=1))
    return Screen(message, options, more=more, back=back or items.start > 0, home=home)


def list_pick(
    conv: Conversation,
    ctx: Ctx,
    message: str,
    labels: Sequence[str],
    text: str,
    *,
    back: bool = True,
    home: bool = True,
) -> int | None:
    """The index in `labels` of the option `text` picks on the current page, if any."""
    items, _ = _page(conv, ctx, message, labels, back, home)
    picked = choose(text, len(items))
    return None if picked is None else items[picked]


def choose(text: str, count: int) -> int | None:
    """`"1"`..`str(count)` as a 0-based index; anything else is None."""
    if re.fullmatch(r"[1-9][0-9]?", text) and int(text) <= count:
        return int(text) - 1
    return None


# -- parsing what people type --------------------------------------------------------------------


def parse_amount(text: str) -> int | None:
    """Whole naira as typed ("1500", "1,500", "N1500") in kobo; None if not a positive amount."""
    if len(text) > 16:
        return None
    try:
        amount = parse_naira(text)
    except ValueError:
        return None
    if amount <= 0 or amount % 100:
        return None
    return amount


def amount_range(
    service: Service, low: int, high: int, floor: int | None = None
) -> tuple[int, int]:
    """The service's min/max in kobo, `low`/`high` where VTPass gave none, raised to `floor`."""
    lo = service.min_amount if service.min_amount and service.min_amount > 0 else low
    hi = service.max_amount if service.max_amount and service.max_amount > 0 else high
    if floor:
        lo = max(lo, floor)
    lo = -(-lo // 100) * 100  # whole naira
    return lo, max(lo, hi)


def amount_prompt(ctx: Ctx, limits: tuple[int, int]) -> str:
    return f"Enter amount ({ctx.money(limits[0])}-{ctx.money(limits[1])}):"


def check_amount(text: str, limits: tuple[int, int]) -> int | Hint:
    """The amount in kobo, or the hint to re-prompt with."""
    amount = parse_amount(text)
    if amount is None:
        return Hint.INVALID_AMOUNT
    if amount < limits[0]:
        return Hint.AMOUNT_LOW
    if amount > limits[1]:
        return Hint.AMOUNT_HIGH
    return amount


def to_int(text: str | None) -> int | None:
    """A number this package stored in the data (kobo, counts), or None."""
    if text is None or not re.fullmatch(r"[0-9]{1,15}", text):
        return None
    return int(text)


def parse_phone(text: str, ctx: Ctx | None = None) -> str | None:
    """A Nigerian mobile number in E.164 (or, when `ctx` allows them, a sandbox scenario
    number as typed), or None."""
    if len(text) > 20:
        return None
    try:
        return normalize_recipient(text, sandbox=ctx is not None and ctx.sandbox_numbers)
    except ValueError:
        return None


def local(phone: str) -> str:
    """`+2348031234567` -> `08031234567`; anything else is returned as is (`phones.to_local`)."""
    return to_local(phone)


def parse_digits(text: str, low: int, high: int) -> str | None:
    """A run of `low`..`high` ASCII digits, or None."""
    return text if re.fullmatch(rf"[0-9]{{{low},{high}}}", text) else None


def shown(ctx: Ctx, text: str | None, width: int) -> str:
    """Text read back from the conversation, made fit for the channel before it is shown.

    Flows store outside text already cleaned, but a session saved by an older release (or one
    edited by hand) must not be able to put a non-GSM-7 character or a long line on a screen.
    """
    raw = text or ""
    return clip(clean(raw) if ctx.profile.gsm7 else " ".join(raw.split()), width)


def plan_label(variation: Variation, ctx: Ctx, width: int = 28, provider: str = "") -> str:
    """A plan's name for a list or summary, always ending with its price (never cut off).

    The name loses `provider` (shown above it) and any price VTPass wrote into it: the price
    shown is the catalogue's amount (`names.plan_name`).
    """
    return priced(plan_name(variation.name, provider), ctx.money(variation.amount), width)


def chosen_service(conv: Conversation, services: Sequence[Service]) -> Service | None:
    """The service picked earlier in this flow (`svc` in the conversation), if still offered."""
    wanted = conv.data.get("svc")
    return next((s for s in services if s.service_id == wanted), None)
