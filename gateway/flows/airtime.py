"""Airtime: my number or another, network from the prefix (changeable), amount, confirm.

The network list is the catalogue's airtime services, so a network VTPass adds appears; only
`foreign-airtime` is left out (it needs a country and operator, not a USSD journey).
"""

from __future__ import annotations

from gateway.flows import checkout
from gateway.flows.catalogue import AIRTIME, Service, network_for, network_of_service
from gateway.flows.model import Conversation, FlowName, Option, Order, Screen
from gateway.flows.names import airtime_label
from gateway.flows.screens import safe
from gateway.flows.steps import (
    Ctx,
    Flow,
    Hint,
    Move,
    amount_prompt,
    amount_range,
    check_amount,
    choose,
    chosen_service,
    goto,
    ignore_event,
    list_pick,
    list_screen,
    local,
    moved,
    parse_phone,
    stay,
    to_int,
)

WHO = "who"
PHONE = "phone"
NETWORK = "network"
AMOUNT = "amount"

EXCLUDED = frozenset({"foreign-airtime"})
DEFAULT_LIMITS = (50_00, 50_000_00)  # N50-N50,000 when VTPass gives no min/max
_NETWORK_LIST = "Choose network:"


def _services(ctx: Ctx) -> tuple[Service, ...]:
    return tuple(s for s in ctx.catalog.services(AIRTIME) if s.service_id not in EXCLUDED)


def _service(conv: Conversation, ctx: Ctx) -> Service | None:
    return chosen_service(conv, _services(ctx))


def _recipient(conv: Conversation, ctx: Ctx) -> str:
    return parse_phone(conv.data.get("to", ""), ctx) or conv.caller.phone


def network_name(service: Service) -> str:
    network = network_of_service(service.service_id)
    return network.display if network else safe(service.name, 12)


def start(conv: Conversation, _ctx: Ctx) -> Move:
    return Move(goto(conv, WHO, flow=FlowName.AIRTIME))


def quick(conv: Conversation, ctx: Ctx, amount: str, phone: str | None) -> Move:
    """The `*code*1*<amount>[*<phone>]#` shortcut: as if the menus had been walked."""
    at = goto(conv, WHO, flow=FlowName.AIRTIME)
    recipient = conv.caller.phone
    if phone is not None:
        at = goto(at, PHONE)
        found = parse_phone(phone, ctx)
        if found is None:
            return stay(at, Hint.INVALID_PHONE)
        recipient = found
    moved = _to_recipient(at, ctx, recipient)
    if moved.state is None or moved.state.step != AMOUNT:
        return moved  # network unknown: the list is shown, the amount typed again later
    return handle(moved.state, amount, ctx)


def for_amount(
    conv: Conversation, ctx: Ctx, amount: int, phone: str, service_id: str | None
) -> Move:
    """A text command's airtime (`AIRTIME 500 [number] [network]`), from the main menu `conv`:
    the confirm screen when the network is known (named, or from the prefix); else the network
    list, whose pick then confirms `amount` at once (an amount out of bounds asks again)."""
    at = goto(conv, WHO, flow=FlowName.AIRTIME)
    if phone != conv.caller.phone:
        at = goto(at, PHONE)
    if any(s.service_id == service_id for s in _services(ctx)):
        at = goto(at, AMOUNT, updates={"to": phone, "svc": service_id or ""})
    else:
        at = _to_recipient(at, ctx, phone).state or at
    service = _service(at, ctx)
    if at.step != AMOUNT or service is None:  # the network list: keep the amount for its pick
        return Move(moved(at, at.flow, at.step, {**at.data, "amt": str(amount)}, None, at.stack))
    low, high = _limits(service)
    if not low <= amount <= high:
        return stay(at, Hint.AMOUNT_LOW if amount < low else Hint.AMOUNT_HIGH)
    return _confirm(at, ctx, service, amount)


def _to_recipient(conv: Conversation, ctx: Ctx, phone: str) -> Move:
    network = network_for(phone)
    detected = next((s for s in _services(ctx) if network and s.service_id == network.value), None)
    if detected is None:
        return Move(goto(conv, NETWORK, updates={"to": phone}))
    return Move(goto(conv, AMOUNT, updates={"to": phone, "svc": detected.service_id}))


def _limits(service: Service) -> tuple[int, int]:
    return amount_range(service, *DEFAULT_LIMITS)


def _confirm(conv: Conversation, ctx: Ctx, service: Service, amount: int) -> Move:
    name = network_name(service)
    phone = _recipient(conv, ctx)
    order = Order(
        category=AIRTIME,
        service_id=service.service_id,
        amount=amount,
        phone=phone,
        label=airtime_label(name),
    )
    summary = checkout.summary(ctx, f"{name} airtime {ctx.money(amount)}", f"To {local(phone)}")
    # keep the amount so "Change network" on the confirm screen can confirm again directly
    at = moved(
        conv, conv.flow, conv.step, {**conv.data, "amt": str(amount)}, conv.intent_id, conv.stack
    )
    return checkout.begin(
        at, ctx, order, summary, alt=("Change network", FlowName.AIRTIME, NETWORK)
    )


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    if conv.step == PHONE:
        return Screen("Enter phone number:", back=True, home=True)
    if conv.step == NETWORK:
        return list_screen(conv, ctx, _NETWORK_LIST, [network_name(s) for s in _services(ctx)])
    if conv.step == AMOUNT:
        service = _service(conv, ctx)
        if service is None:
            return Screen("Airtime is not available now.", back=True, home=True)
        to = local(_recipient(conv, ctx))
        message = (
            f"{network_name(service)} airtime for {to}\n{amount_prompt(ctx, _limits(service))}"
        )
        return Screen(message, back=True, home=True)
    options = (Option("1", "My number"), Option("2", "Another number"))
    return Screen("Buy airtime for:", options, back=True, home=True)


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    if conv.step == WHO:
        picked = choose(text, 2)
        if picked == 0:
            return _to_recipient(conv, ctx, conv.caller.phone)
        if picked == 1:
            return Move(goto(conv, PHONE))
        return stay(conv, Hint.INVALID_CHOICE)
    if conv.step == PHONE:
        phone = parse_phone(text, ctx)
        return stay(conv, Hint.INVALID_PHONE) if phone is None else _to_recipient(conv, ctx, phone)
    if conv.step == NETWORK:
        services = _services(ctx)
        index = list_pick(conv, ctx, _NETWORK_LIST, [network_name(s) for s in services], text)
        if index is None:
            return stay(conv, Hint.INVALID_CHOICE)
        chosen = services[index]
        at = goto(conv, AMOUNT, updates={"svc": chosen.service_id}, drop=("amt",))
        amount = to_int(conv.data.get("amt"))
        limits = _limits(chosen)
        if amount is not None and limits[0] <= amount <= limits[1]:
            # the network was changed on the confirm screen: confirm again with the new one
            return _confirm(at, ctx, chosen, amount)
        return Move(at)
    service = _service(conv, ctx)
    if service is None:
        return Move(goto(conv, NETWORK))
    checked = check_amount(text, _limits(service))
    if isinstance(checked, Hint):
        return stay(conv, checked)
    return _confirm(conv, ctx, service, checked)


FLOW = Flow(
    steps=frozenset({WHO, PHONE, NETWORK, AMOUNT}),
    prompt=prompt,
    handle=handle,
    on_event=ignore_event,
)
