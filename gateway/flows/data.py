"""Data bundles: network, plan (paged list), my number or another, confirm.

Networks and plans come from the catalogue. Services billed to an account rather than a phone
(Smile, Spectranet) ask for the account number instead of the recipient.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.flows import checkout, names
from gateway.flows.catalogue import DATA, Service, Variation, network_of_service
from gateway.flows.model import Conversation, FlowName, Option, Order, Screen
from gateway.flows.screens import clip
from gateway.flows.steps import (
    Ctx,
    Flow,
    Hint,
    Move,
    choose,
    chosen_service,
    goto,
    ignore_event,
    list_pick,
    list_screen,
    local,
    parse_digits,
    parse_phone,
    plan_label,
    stay,
)

NETWORK = "network"
PLAN = "plan"
WHO = "who"
PHONE = "phone"
ACCOUNT = "account"

# serviceID -> what its billersCode is called, for services not credited to a phone number
ACCOUNT_SERVICES: Mapping[str, str] = {
    "smile-direct": "Smile account ID",
    "spectranet": "Spectranet account no.",
}
_NETWORK_LIST = "Choose network:"


def _services(ctx: Ctx) -> tuple[Service, ...]:
    return ctx.catalog.services(DATA)


def _service(conv: Conversation, ctx: Ctx) -> Service | None:
    return chosen_service(conv, _services(ctx))


def service_name(service: Service) -> str:
    network = network_of_service(service.service_id)
    if network is not None and service.service_id == f"{network.value}-data":
        return f"{network.display} Data"
    return names.service_name(service.service_id, service.name, 18)


def _plans(conv: Conversation, ctx: Ctx) -> tuple[str, tuple[Variation, ...]]:
    service = _service(conv, ctx)
    if service is None:
        return "Data is not available now.", ()
    plans = ctx.catalog.variations(service.service_id)
    if not plans:
        return f"No {service_name(service)} plans now.", ()
    return f"{service_name(service)} plans:", plans


def _plan_labels(conv: Conversation, ctx: Ctx, plans: tuple[Variation, ...]) -> list[str]:
    service = _service(conv, ctx)
    provider = service_name(service) if service is not None else ""
    return [plan_label(p, ctx, provider=provider) for p in plans]


def _plan(conv: Conversation, ctx: Ctx) -> Variation | None:
    service = conv.data.get("svc", "")
    return ctx.catalog.variation(service, conv.data.get("var", ""))


def start(conv: Conversation, _ctx: Ctx) -> Move:
    return Move(goto(conv, NETWORK, flow=FlowName.DATA))


def _label(name: str, plan: Variation) -> str:
    """The product label for receipts and "buy again": `MTN Data 1.5GB 7 days`, no price."""
    return clip(f"{name} {names.plan_name(plan.name, name)}", 40)


def _confirm(conv: Conversation, ctx: Ctx, recipient: str, customer_ref: str) -> Move:
    service = _service(conv, ctx)
    plan = _plan(conv, ctx)
    if service is None or plan is None:
        return stay(conv, Hint.UNAVAILABLE)
    name = service_name(service)
    order = Order(
        category=DATA,
        service_id=service.service_id,
        amount=plan.amount,
        phone=recipient,
        customer_ref=customer_ref,
        variation_code=plan.code,
        label=_label(name, plan),
    )
    if service.service_id in ACCOUNT_SERVICES:
        shown = f"Account {customer_ref}"
    else:
        shown = f"To {local(recipient)}"
    width = checkout.summary_width(ctx)
    summary = checkout.summary(ctx, name, plan_label(plan, ctx, width, name), shown)
    return checkout.begin(conv, ctx, order, summary)


def for_plan(conv: Conversation, ctx: Ctx, service_id: str, code: str, phone: str) -> Move:
    """A plan named by its code in a text command (`DATA MTN5 [number]`), from the main menu
    `conv`: the confirm screen for `phone`; a service billed to an account asks for it."""
    at = goto(goto(conv, NETWORK, flow=FlowName.DATA), PLAN, updates={"svc": service_id})
    if service_id in ACCOUNT_SERVICES:
        return Move(goto(at, ACCOUNT, updates={"var": code}))
    return _confirm(goto(at, WHO, updates={"var": code}), ctx, phone, local(phone))


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    if conv.step == PLAN:
        message, plans = _plans(conv, ctx)
        return list_screen(conv, ctx, message, _plan_labels(conv, ctx, plans))
    if conv.step == WHO:
        options = (Option("1", "My number"), Option("2", "Another number"))
        return Screen("Buy data for:", options, back=True, home=True)
    if conv.step == PHONE:
        return Screen("Enter phone number:", back=True, home=True)
    if conv.step == ACCOUNT:
        what = ACCOUNT_SERVICES.get(conv.data.get("svc", ""), "account number")
        return Screen(f"Enter {what}:", back=True, home=True)
    return list_screen(conv, ctx, _NETWORK_LIST, [service_name(s) for s in _services(ctx)])


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    if conv.step == NETWORK:
        services = _services(ctx)
        index = list_pick(conv, ctx, _NETWORK_LIST, [service_name(s) for s in services], text)
        if index is None:
            return stay(conv, Hint.INVALID_CHOICE)
        return Move(goto(conv, PLAN, updates={"svc": services[index].service_id}))
    if conv.step == PLAN:
        message, plans = _plans(conv, ctx)
        index = list_pick(conv, ctx, message, _plan_labels(conv, ctx, plans), text)
        if index is None:
            return stay(conv, Hint.INVALID_CHOICE)
        following = ACCOUNT if conv.data.get("svc") in ACCOUNT_SERVICES else WHO
        return Move(goto(conv, following, updates={"var": plans[index].code}))
    if conv.step == WHO:
        picked = choose(text, 2)
        if picked == 0:
            phone = conv.caller.phone
            return _confirm(conv, ctx, phone, local(phone))
        if picked == 1:
            return Move(goto(conv, PHONE))
        return stay(conv, Hint.INVALID_CHOICE)
    if conv.step == PHONE:
        other = parse_phone(text, ctx)
        if other is None:
            return stay(conv, Hint.INVALID_PHONE)
        return _confirm(conv, ctx, other, local(other))
    account = parse_digits(text, 4, 20)
    if account is None:
        return stay(conv, Hint.INVALID_NUMBER)
    return _confirm(conv, ctx, conv.caller.phone, account)


FLOW = Flow(
    steps=frozenset({NETWORK, PLAN, WHO, PHONE, ACCOUNT}),
    prompt=prompt,
    handle=handle,
    on_event=ignore_event,
)
