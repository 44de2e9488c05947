"""Buying again, and dial-string shortcuts that jump straight into a flow.

Buy again: the main menu offers the caller's last three purchases (keys 7, 8, 9, newest first).
Choosing one re-checks it against today's catalogue (the service still exists, a plan still
exists and takes today's price, a free amount is still within limits) and opens the confirm
screen; the PIN is asked as for any purchase.

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
                           7  8  9          buy again #1, #2, #3 -> confirm (PIN)

Replaying stops at the first segment that is refused (its hint is shown), that starts an effect
(e.g. verify), or that would land on a PIN step: a PIN is never taken from a dial string, as
telcos log those. Extra segments after a stop are dropped. New users without a PIN always get the
PIN set-up first and the shortcut is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gateway.flows import airtime, checkout
from gateway.flows.catalog import AIRTIME, DATA, CatalogSnapshot
from gateway.flows.model import Conversation, Order
from gateway.flows.screens import safe
from gateway.flows.steps import Ctx, Hint, Move, amount_range, local, parse_amount, stay

MAX_SEGMENTS = 6
Feed = Callable[[Conversation, str], Move]
_AIRTIME_MENU_KEYS = frozenset({"0", "00", "1", "2", "98"})


def refresh(order: Order, catalog: CatalogSnapshot) -> Order | None:
    """`order` as it can be bought today, or None if the product or plan is gone."""
    service = catalog.service(order.service_id)
    if service is None or order.amount <= 0 or order.quantity <= 0:
        return None
    plans = catalog.variations(order.service_id)
    if plans and order.variation_code and order.subscription_type != "renew":
        plan = catalog.variation(order.service_id, order.variation_code)
        if plan is None:
            return None
        return Order(
            category=order.category,
            service_id=order.service_id,
            amount=plan.amount,
            phone=order.phone,
            customer_ref=order.customer_ref,
            variation_code=order.variation_code,
            quantity=order.quantity,
            subscription_type=order.subscription_type,
            label=order.label,
        )
    if service.product_type == "flexible":
        low, high = amount_range(service, 100, 10**12)
        if not low <= order.amount <= high:
            return None
    return order


def buy_again(conv: Conversation, ctx: Ctx, order: Order) -> Move:
    fresh = refresh(order, ctx.catalog)
    if fresh is None:
        return stay(conv, Hint.UNAVAILABLE)
    price = ctx.money(fresh.total)
    label = safe(fresh.label or fresh.service_id, 30)
    first = f"{label} x{fresh.quantity} {price}" if fresh.quantity > 1 else f"{label} {price}"
    if fresh.category in (AIRTIME, DATA) or not fresh.customer_ref:
        second = f"To {safe(local(fresh.phone), 20)}"
    else:
        second = f"No. {safe(fresh.customer_ref, 25)}"
    return checkout.begin(conv, fresh, checkout.summary(first, second))


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
