"""Buying again, and dial-string shortcuts that jump straight into a flow.

Buy again: main menu 7 lists the caller's last three delivered purchases (newest first), each
with today's price and its recipient.
They are kept as choices, never as prices (`as_choice`): a plan's price is today's catalogue
price, a free amount is kept and re-checked against today's limits, and a DStv/GOtv renewal
verifies the card again (its amount is whatever VTPass's verify says now). Choosing one opens
the confirm screen at that price (or the card's verify); the PIN is asked as for any purchase,
and the server prices the order again at submit (`gateway.purchases.ordering`).

Shortcuts: AT delivers `*347*88*1*500#` as a first input of `1*500`; the coordinator passes the
segments in `SessionStarted.shortcut`. The map:

    1*<amount>             airtime for my number, network from my prefix -> confirm (PIN)
    1*<amount>*<phone>     airtime for another number -> confirm (PIN)
    anything else          the segments are typed into the menus from the main menu, e.g.
                           1*2*08031234567  airtime, another number, that number -> amount
                           2*1              data, the first network -> its plan list
                           2*1*3            data, network 1, plan 3 -> my number / another
                           3*1*1*<meter>    electricity, disco 1, prepaid, meter -> verify
                           4*1*<card>       TV, provider 1, smartcard -> verify
                           5*1              exam PINs, first exam
                           6*1  6*2         wallet balance, last purchases
                           7*1  7*2  7*3    buy again #1, #2, #3 -> confirm (PIN)

Replaying stops at the first segment that is refused (its hint is shown), that starts an effect
(e.g. verify), or that would land on a PIN step: a PIN is never taken from a dial string, as
telcos log those. Extra segments after a stop are dropped. New users without a PIN always get the
PIN set-up first and the shortcut is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from gateway.errors import InvalidInput
from gateway.flows import airtime, checkout, tv
from gateway.flows.catalogue import AIRTIME, EDUCATION, ELECTRICITY, TV, CatalogueSnapshot
from gateway.flows.model import Conversation, Order
from gateway.flows.names import priced
from gateway.flows.screens import safe
from gateway.flows.steps import Ctx, Hint, Move, amount_range, local, parse_amount, stay

MAX_SEGMENTS = 6
Feed = Callable[[Conversation, str], Move]
_AIRTIME_MENU_KEYS = frozenset({"0", "00", "1", "2", "98"})


def as_choice(order: Order) -> Order:
    """What "buy again" keeps of a purchase: the choice, with no price for a plan or renewal."""
    return replace(order, amount=0) if order.unpriced_choice else order


def refresh(order: Order, catalog: CatalogueSnapshot) -> Order | None:
    """`order` priced as it can be bought today, or None if the product or plan is gone.

    A plan takes today's catalogue price whatever amount the entry holds; a renewal is never
    priced here (it needs a new verify, see `buy_again`); a free amount must be within limits.
    """
    service = catalog.service(order.service_id)
    if service is None or order.quantity <= 0 or order.subscription_type == "renew":
        return None
    if order.variation_code and order.category != ELECTRICITY:
        plan = catalog.variation(order.service_id, order.variation_code)
        if plan is None or plan.amount <= 0:
            return None
        return replace(order, amount=plan.amount)
    if order.amount <= 0:
        return None
    if service.product_type == "flexible":
        low, high = amount_range(service, 100, 10**12)
        if not low <= order.amount <= high:
            return None
    return order


def shown_total(order: Order, catalog: CatalogueSnapshot) -> int | None:
    """What buying `order` again costs today, fee included, for the menu (what will be paid);
    None if not known before a verify, or not buyable today."""
    fresh = refresh(order, catalog)
    if fresh is None:
        return None
    try:
        return catalog.quote(fresh.category, fresh.service_id, fresh.amount, fresh.quantity).total
    except InvalidInput:
        return None


def buy_again(conv: Conversation, ctx: Ctx, order: Order) -> Move:
    if order.subscription_type == "renew" and order.customer_ref:
        if ctx.catalog.service(order.service_id) is None:
            return stay(conv, Hint.UNAVAILABLE)
        return tv.verify_again(conv, order.service_id, order.customer_ref)
    fresh = refresh(order, ctx.catalog)
    if fresh is None:
        return stay(conv, Hint.UNAVAILABLE)
    label = safe(fresh.label or fresh.service_id, 30)
    lines: tuple[str, ...]
    if fresh.quantity > 1:  # "2 PINs x N900 = N1,800", as when first bought
        each, total = ctx.money(fresh.amount), ctx.money(fresh.total)
        lines = (label, f"{fresh.quantity} x {each} = {total}", _recipient_line(fresh))
    else:
        lines = (
            priced(label, ctx.money(fresh.total), checkout.summary_width(ctx)),
            _recipient_line(fresh),
        )
    return checkout.begin(conv, ctx, fresh, checkout.summary(ctx, *lines))


# what a customer reference is called on the confirm screen, by category
_REF_WORDS = {ELECTRICITY: "Meter", TV: "Card", EDUCATION: "Profile"}


def _recipient_line(order: Order) -> str:
    """`To 08031234567`, `Meter 1111111111111`, `Card 1212121212`, `Account 1402000567`."""
    phone = local(order.phone)
    if order.category == AIRTIME or not order.customer_ref or order.customer_ref == phone:
        return f"To {safe(phone, 20)}"
    return f"{_REF_WORDS.get(order.category, 'Account')} {safe(order.customer_ref, 20)}"


def run_shortcut(
    conv: Conversation,
    segments: Sequence[str],
    ctx: Ctx,
    feed: Feed,
    asks_pin: Callable[[Conversation], bool],
) -> Move:
    """Apply dial-string `segments` from the main menu `conv` (see the module docstring)."""
    parts = [s.strip() for s in segments[:MAX_SEGMENTS]]
    if (
        len(parts) in (2, 3)
        and parts[0] == "1"
        and parts[1] not in _AIRTIME_MENU_KEYS
        and parse_amount(parts[1]) is not None
    ):
        return airtime.quick(conv, ctx, parts[1], parts[2] if len(parts) == 3 else None)
    move = Move(conv)
    for part in parts:
        if move.state is None or asks_pin(move.state):
            break
        move = feed(move.state, part)
        if move.effects or move.hint or move.screen is not None:
            break
    return move
