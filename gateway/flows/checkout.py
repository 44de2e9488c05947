"""The confirm screen every purchase ends on: summary, PIN, `SubmitPurchase`, then END at once.

Why one place: minting the intent id, keeping the PIN out of the session and reading the submit
result are the same for every product. A flow calls `begin` with an `Order` and a short summary;
`0` from here goes back into that flow (the back stack crosses flows).

Intent ids: each confirm screen shown gets `sha256(seed:n)` where `seed` is the session's and `n`
the conversation's `minted` counter (which back never rolls back). Re-sending the same PIN hop
therefore submits the same intent id, while changing the order after `0` gets a new one.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from gateway.domain.pricing import AmountOutOfRange
from gateway.errors import InvalidInput
from gateway.flows import screens
from gateway.flows.model import (
    Conversation,
    Event,
    FlowName,
    Option,
    Order,
    PinRejected,
    PurchaseAccepted,
    PurchaseRefused,
    RefusalReason,
    Screen,
    SubmitPurchase,
)
from gateway.flows.screens import HINT_MAX, clip
from gateway.flows.steps import (
    WAITING,
    Ctx,
    Flow,
    Hint,
    Move,
    back,
    end,
    goto,
    shown,
    stay,
    wrong_pin,
)
from gateway.pin_policy import is_pin_format

CONFIRM = "confirm"
PAYING = "paying"

ORDER = "o."  # prefix of the order's keys in the data
SUMMARY = "sum"
# the quote shown (kobo): what the submit must charge, or it is refused as a price change
FEE = "q.fee"
DISCOUNT = "q.dsc"
TOTAL = "q.tot"
ALT_LABEL = "alt"  # optional "1 <label>" on the confirm screen, e.g. "Change network"
ALT_FLOW = "alt_flow"
ALT_STEP = "alt_step"

SUMMARY_WIDTH = 30
PIN_REQUEST = "Enter PIN to pay:"


def received(reference: str | None, receipt: str) -> str:
    """The acknowledgement, naming the purchase's one customer reference (`PL-…`) and where
    the receipt will come (`Profile.receipt`)."""
    if reference is None:
        return f"Request received. {receipt}"
    return f"Request received. Ref {reference}. {receipt}"


_REFUSALS = {
    RefusalReason.INSUFFICIENT_FUNDS: "Not enough money in your wallet.",
    RefusalReason.DAILY_LIMIT: "You have reached your daily limit. Try again tomorrow.",
    RefusalReason.ACCOUNT_BLOCKED: "Your account cannot buy now. Please call support.",
    RefusalReason.INVALID: "This amount is not allowed for this product.",
    RefusalReason.PRICE_CHANGED: "The price has changed. Please {again} to see it.",
    RefusalReason.VERIFY_AGAIN: "Please enter your card number again to renew.",
    RefusalReason.SMS_OFF: "SMS purchases are off. Turn them on in the PayLink USSD menu:"
    " Wallet, SMS purchases.",
    RefusalReason.UNAVAILABLE: "We could not take your request. Please try again later.",
}


def mint_intent(seed: str, n: int) -> str:
    """A 32-hex idempotency key for the n-th confirm screen of a session."""
    return hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()[:32]


def begin(
    conv: Conversation,
    ctx: Ctx,
    order: Order,
    summary: str,
    alt: tuple[str, FlowName, str] | None = None,
) -> Move:
    """Show the confirm screen for `order`; `alt` adds "1 <label>" going to (flow, step).

    The order is quoted here, under the fee rules a submit charges (`CatalogueSnapshot.quote`),
    and the quote is kept: the screen shows it, and the submit is refused if its total is not
    this one. An amount the rules refuse stays on the current step with its hint.
    """
    try:
        priced = ctx.catalog.quote(order.category, order.service_id, order.amount, order.quantity)
    except AmountOutOfRange as exc:
        low = exc.details.get("min")
        too_low = low is not None and order.amount < low["kobo"]
        return stay(conv, Hint.AMOUNT_LOW if too_low else Hint.AMOUNT_HIGH)
    except InvalidInput:
        return stay(conv, Hint.INVALID_AMOUNT)
    updates = {
        **order.to_fields(ORDER),
        SUMMARY: summary,
        FEE: str(priced.fee),
        DISCOUNT: str(priced.discount),
        TOTAL: str(priced.total),
    }
    drop: tuple[str, ...] = (ALT_LABEL, ALT_FLOW, ALT_STEP)
    if alt is not None:
        updates.update({ALT_LABEL: alt[0], ALT_FLOW: alt[1].value, ALT_STEP: alt[2]})
        drop = ()
    at = goto(conv, CONFIRM, flow=FlowName.CHECKOUT, updates=updates, drop=drop)
    minted = conv.minted + 1
    intent_id = mint_intent(conv.caller.seed, minted)
    return Move(
        Conversation(at.flow, at.step, at.caller, at.data, intent_id, at.rev, at.stack, minted)
    )


def summary_width(ctx: Ctx) -> int:
    """How wide a summary line may be on the channel: `SUMMARY_WIDTH` on USSD (and SMS), more
    in a chat (`Profile.width`)."""
    return ctx.profile.width(SUMMARY_WIDTH)


def summary(ctx: Ctx, *lines: str) -> str:
    """Up to three summary lines for the confirm screen, each cut to fit (`summary_width`).

    Outside text (customer names, plan names, stored labels) must already be `screens.clean`.
    """
    width = summary_width(ctx)
    return "\n".join(clip(line, width) for line in lines[:3] if line)


def _alt(conv: Conversation) -> tuple[FlowName, str] | None:
    try:
        flow = FlowName(conv.data.get(ALT_FLOW, ""))
    except ValueError:
        return None
    return flow, conv.data.get(ALT_STEP, "")


def shown_quote(conv: Conversation) -> tuple[int, int, int] | None:
    """(fee, discount, total) kept by `begin`, or None for a session saved without them."""
    try:
        return int(conv.data[FEE]), int(conv.data[DISCOUNT]), int(conv.data[TOTAL])
    except (KeyError, ValueError):
        return None


def price_lines(face: int, fee: int, discount: int, total: int, ctx: Ctx) -> tuple[str, ...]:
    """Ways to say what is paid, longest first: `N1,000 + N100 fee = N1,100`, then shorter
    forms for a screen with less room. Empty for a price without fee or discount: the summary's
    amount is then the total."""
    if not fee and not discount:
        return ()
    money = ctx.money
    parts = money(face) + (f" + {money(fee)} fee" if fee else "")
    parts += f" - {money(discount)} off" if discount else ""
    full = f"{parts} = {money(total)}"
    extra = f"incl. {money(fee)} fee" if fee else f"after {money(discount)} off"
    return (full, f"Pay {money(total)} {extra}", f"Total {money(total)}")


def _confirm_message(summary: list[str], prices: tuple[str, ...], screen: Screen, ctx: Ctx) -> str:
    """The summary, the price line and the PIN request, fitting the channel's budget with room
    for a hint: the price is never dropped; a shorter form of it is tried first, then the
    summary's last lines (a customer name) give way."""
    if not prices:
        return "\n".join([*summary, PIN_REQUEST])
    room = ctx.profile.max_chars - (4 if ctx.profile.prefix else 0) - (HINT_MAX + 1)
    for keep in range(len(summary), -1, -1):
        for price in prices:
            message = "\n".join([*summary[:keep], price, PIN_REQUEST])
            text = "\n".join(screens.lines(replace(screen, message=message)))
            if screens.size(text, ctx.profile) <= room:
                return message
    return "\n".join([prices[-1], PIN_REQUEST])


def _without_amount(summary: list[str], amount: str) -> list[str]:
    """The summary with a line-ending face amount dropped: the price line says it already."""
    suffix = f" {amount}"
    return [line.removesuffix(suffix) if line.endswith(suffix) else line for line in summary]


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    if conv.step == PAYING:
        return Screen(WAITING, expects_input=False)
    alt = shown(ctx, conv.data.get(ALT_LABEL), 20)
    options = (Option("1", alt),) if alt and _alt(conv) is not None else ()
    width = summary_width(ctx)
    lines = [shown(ctx, line, width) for line in conv.data.get(SUMMARY, "").split("\n")]
    summary = [line for line in lines[:3] if line]
    order = Order.from_fields(conv.data, ORDER)
    quoted = shown_quote(conv)
    prices = (
        price_lines(order.total, *quoted, ctx) if order is not None and quoted is not None else ()
    )
    if prices and order is not None:
        summary = _without_amount(summary, ctx.money(order.total))
    screen = Screen("", options, back=True, home=True)
    return replace(screen, message=_confirm_message(summary, prices, screen, ctx))


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    alt = _alt(conv)
    if text == "1" and alt is not None:
        return Move(goto(conv, alt[1], flow=alt[0]))
    if not is_pin_format(text):
        return stay(conv, Hint.PIN_FORMAT)
    order = Order.from_fields(conv.data, ORDER)
    if order is None or order.amount <= 0:  # `begin` is always given a priced order
        # cannot happen through `begin`; a hand-edited session ends politely
        return end(f"Sorry, something went wrong. Please {ctx.profile.again}.")
    intent_id = conv.intent_id or mint_intent(conv.caller.seed, conv.minted)
    quoted = shown_quote(conv)
    total = quoted[2] if quoted is not None else None
    submit = SubmitPurchase(intent_id=intent_id, order=order, pin=text, total=total)
    # a step of its own, so a wrong PIN (or input while waiting) returns to this confirm screen
    return Move(goto(replace(conv, intent_id=intent_id), PAYING), effects=(submit,))


def _short_of(conv: Conversation, balance: int | None, ctx: Ctx) -> str:
    """`Not enough money: wallet N300, need N1,100.` with what is known of the two."""
    if balance is None:
        return _REFUSALS[RefusalReason.INSUFFICIENT_FUNDS]
    quoted = shown_quote(conv)
    need = f", need {ctx.money(quoted[2])}" if quoted is not None else ""
    return f"Not enough money: wallet {ctx.money(balance)}{need}."


def on_event(conv: Conversation, event: Event, ctx: Ctx) -> Move:
    if conv.step != PAYING:
        return Move(conv)  # a late or duplicate result: show where we are
    if isinstance(event, PurchaseAccepted):
        return end(received(event.reference, ctx.profile.receipt))
    if isinstance(event, PurchaseRefused):
        message = _REFUSALS[event.reason].format(again=ctx.profile.again)
        if event.reason is RefusalReason.INSUFFICIENT_FUNDS:
            message = f"{_short_of(conv, event.balance, ctx)} {ctx.how_to_fund}"
        if event.reason is RefusalReason.PRICE_CHANGED and event.price is not None:
            again = ctx.profile.again.capitalize()
            message = f"The price is now {ctx.money(event.price)}. {again} to buy at it."
        return end(message)
    if isinstance(event, PinRejected):
        return Move(back(conv) or conv, hint=wrong_pin(event.attempts_left))
    return Move(conv)


FLOW = Flow(
    steps=frozenset({CONFIRM, PAYING}),
    prompt=prompt,
    handle=handle,
    on_event=on_event,
    waiting=frozenset({PAYING}),
    pin_steps=frozenset({CONFIRM}),
)
