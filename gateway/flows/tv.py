"""Cable TV: provider, smartcard, verify (name, bouquet, renewal), renew or change, confirm.

DStv and GOtv take `subscription_type` renew (amount = the verified `Renewal_Amount`) or change (a
bouquet from the paged list, at its price). Other card providers (Startimes, any VTPass adds) go
straight from verify to the bouquet list. Showmax is billed to a phone number: plan, then my
number or another, no verify.
"""

from __future__ import annotations

from gateway.flows import checkout, names
from gateway.flows.catalogue import TV, Service, Variation
from gateway.flows.checkout import summary_width
from gateway.flows.model import (
    Conversation,
    CustomerInvalid,
    CustomerVerified,
    Event,
    FlowName,
    Option,
    Order,
    Screen,
    VerifyCustomer,
)
from gateway.flows.names import priced
from gateway.flows.screens import clip, safe
from gateway.flows.steps import (
    WAITING,
    Ctx,
    Flow,
    Hint,
    Move,
    back,
    choose,
    chosen_service,
    goto,
    list_pick,
    list_screen,
    local,
    parse_digits,
    parse_phone,
    plan_label,
    shift,
    shown,
    stay,
    to_int,
)

PROVIDER = "provider"
CARD = "card"
VERIFYING = "verifying"
ACTION = "action"
PLAN = "plan"
WHO = "who"
PHONE = "phone"

RENEWABLE = frozenset({"dstv", "gotv"})  # take subscription_type renew | change
PHONE_BILLED = frozenset({"showmax"})  # billersCode is the subscriber's phone number
PENDING = "cmd.var"  # a bouquet named in a text command: bought once the card verifies
_PROVIDER_LIST = "Choose TV:"


def _services(ctx: Ctx) -> tuple[Service, ...]:
    return ctx.catalog.services(TV)


def _service(conv: Conversation, ctx: Ctx) -> Service | None:
    return chosen_service(conv, _services(ctx))


def provider_name(service: Service) -> str:
    return names.service_name(service.service_id, service.name, 14)


def _plan_name(service: Service, plan_or_bouquet: str) -> str:
    """`DStv Yanga`: the provider once, the plan without a price (for labels and summaries)."""
    name = provider_name(service)
    return clip(f"{name} {names.plan_name(plan_or_bouquet, name)}", 40)


def _plans(conv: Conversation, ctx: Ctx, service: Service) -> tuple[str, tuple[Variation, ...]]:
    plans = ctx.catalog.variations(service.service_id)
    if not plans:
        return f"No {provider_name(service)} plans now.", ()
    name = shown(ctx, conv.data.get("name"), ctx.profile.width(24))
    if name and service.service_id not in PHONE_BILLED:
        return f"{name}\nChoose bouquet:", plans
    return f"{provider_name(service)} plans:", plans


def start(conv: Conversation, _ctx: Ctx) -> Move:
    return Move(goto(conv, PROVIDER, flow=FlowName.TV))


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    service = _service(conv, ctx)
    if conv.step == PROVIDER or service is None:
        return list_screen(conv, ctx, _PROVIDER_LIST, [provider_name(s) for s in _services(ctx)])
    if conv.step == CARD:
        return Screen(f"Enter {provider_name(service)} smartcard/IUC number:", back=True, home=True)
    if conv.step == VERIFYING:
        return Screen(WAITING, expects_input=False)
    if conv.step == ACTION:
        lines = [shown(ctx, conv.data.get("name"), ctx.profile.width(28))]
        if conv.data.get("bq"):
            lines.append(f"Now: {shown(ctx, conv.data['bq'], ctx.profile.width(24))}")
        choices = [Option("2", "Change bouquet")]
        renewal = to_int(conv.data.get("renew"))
        if renewal:
            choices.insert(0, Option("1", f"Renew {ctx.money(renewal)}"))
        message = "\n".join(line for line in lines if line)
        return Screen(message, tuple(choices), back=True, home=True)
    if conv.step == WHO:
        options = (Option("1", "My number"), Option("2", "Another number"))
        return Screen(f"{provider_name(service)} for:", options, back=True, home=True)
    if conv.step == PHONE:
        return Screen("Enter phone number:", back=True, home=True)
    message, plans = _plans(conv, ctx, service)
    return list_screen(conv, ctx, message, _plan_labels(ctx, service, plans))


def _plan_labels(ctx: Ctx, service: Service, plans: tuple[Variation, ...]) -> list[str]:
    return [plan_label(p, ctx, provider=provider_name(service)) for p in plans]


def _renew(conv: Conversation, ctx: Ctx, service: Service) -> Move:
    renewal = to_int(conv.data.get("renew"))
    if not renewal:
        return stay(conv, Hint.INVALID_CHOICE)
    name = provider_name(service)
    bouquet = conv.data.get("bq", "")
    card = conv.data.get("ref", "")
    order = Order(
        category=TV,
        service_id=service.service_id,
        amount=renewal,
        phone=conv.caller.phone,
        customer_ref=card,
        variation_code=conv.data.get("bqc") or None,
        subscription_type="renew",
        label=_plan_name(service, bouquet) if bouquet else f"{name} renewal",
    )
    summary = checkout.summary(
        ctx,
        priced(f"Renew {order.label}", ctx.money(renewal), summary_width(ctx)),
        f"Card {card}",
        conv.data.get("name", ""),
    )
    return checkout.begin(conv, ctx, order, summary)


def _buy_plan(conv: Conversation, ctx: Ctx, service: Service, plan: Variation) -> Move:
    card = conv.data.get("ref", "")
    order = Order(
        category=TV,
        service_id=service.service_id,
        amount=plan.amount,
        phone=conv.caller.phone,
        customer_ref=card,
        variation_code=plan.code,
        subscription_type="change" if service.service_id in RENEWABLE else None,
        label=_plan_name(service, plan.name),
    )
    summary = checkout.summary(
        ctx,
        priced(order.label, ctx.money(plan.amount), summary_width(ctx)),
        f"Card {card}",
        conv.data.get("name", ""),
    )
    return checkout.begin(conv, ctx, order, summary)


def _buy_by_phone(conv: Conversation, ctx: Ctx, service: Service, phone: str) -> Move:
    plan = ctx.catalog.variation(service.service_id, conv.data.get("var", ""))
    if plan is None:
        return stay(conv, Hint.UNAVAILABLE)
    order = Order(
        category=TV,
        service_id=service.service_id,
        amount=plan.amount,
        phone=phone,
        customer_ref=local(phone),
        variation_code=plan.code,
        label=_plan_name(service, plan.name),
    )
    summary = checkout.summary(
        ctx, priced(order.label, ctx.money(plan.amount), summary_width(ctx)), f"For {local(phone)}"
    )
    return checkout.begin(conv, ctx, order, summary)


def verify_again(conv: Conversation, service_id: str, card: str) -> Move:
    """Renew again ("buy again"): verify the card now, so the renewal is today's amount."""
    verify = VerifyCustomer(service_id, card)
    updates = {"svc": service_id, "ref": card}
    return Move(goto(conv, VERIFYING, flow=FlowName.TV, updates=updates), effects=(verify,))


def verify_card(conv: Conversation, service_id: str, card: str, bouquet: str | None) -> Move:
    """A text command's TV (`TV DSTV <card> [bouquet]`), from the main menu `conv`: verify the
    card now; once verified, the bouquet's confirm screen, or (none named) renew or change."""
    at = goto(goto(conv, PROVIDER, flow=FlowName.TV), CARD, updates={"svc": service_id})
    updates = {"ref": card} if bouquet is None else {"ref": card, PENDING: bouquet}
    verify = VerifyCustomer(service_id, card)
    return Move(goto(at, VERIFYING, updates=updates), effects=(verify,))


def for_phone(conv: Conversation, ctx: Ctx, service_id: str, code: str, phone: str) -> Move:
    """A text command's phone-billed plan (`TV SHOWMAX <code> [number]`): its confirm screen."""
    service = ctx.catalog.service(service_id)
    at = goto(goto(conv, PROVIDER, flow=FlowName.TV), PLAN, updates={"svc": service_id})
    at = goto(at, WHO, updates={"var": code})
    return stay(at, Hint.UNAVAILABLE) if service is None else _buy_by_phone(at, ctx, service, phone)


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    if conv.step == PROVIDER:
        services = _services(ctx)
        index = list_pick(conv, ctx, _PROVIDER_LIST, [provider_name(s) for s in services], text)
        if index is None:
            return stay(conv, Hint.INVALID_CHOICE)
        chosen = services[index]
        following = PLAN if chosen.service_id in PHONE_BILLED else CARD
        return Move(goto(conv, following, updates={"svc": chosen.service_id}))
    service = _service(conv, ctx)
    if service is None:
        return Move(goto(conv, PROVIDER))
    if conv.step == CARD:
        card = parse_digits(text, 6, 20)
        if card is None:
            return stay(conv, Hint.INVALID_NUMBER)
        verify = VerifyCustomer(service.service_id, card)
        return Move(goto(conv, VERIFYING, updates={"ref": card}), effects=(verify,))
    if conv.step == ACTION:
        if text == "1":
            return _renew(conv, ctx, service)
        if text == "2":
            return Move(goto(conv, PLAN))
        return stay(conv, Hint.INVALID_CHOICE)
    if conv.step == WHO:
        picked = choose(text, 2)
        if picked == 0:
            return _buy_by_phone(conv, ctx, service, conv.caller.phone)
        if picked == 1:
            return Move(goto(conv, PHONE))
        return stay(conv, Hint.INVALID_CHOICE)
    if conv.step == PHONE:
        phone = parse_phone(text, ctx)
        if phone is None:
            return stay(conv, Hint.INVALID_PHONE)
        return _buy_by_phone(conv, ctx, service, phone)
    message, plans = _plans(conv, ctx, service)
    index = list_pick(conv, ctx, message, _plan_labels(ctx, service, plans), text)
    if index is None:
        return stay(conv, Hint.INVALID_CHOICE)
    if service.service_id in PHONE_BILLED:
        return Move(goto(conv, WHO, updates={"var": plans[index].code}))
    return _buy_plan(conv, ctx, service, plans[index])


def on_event(conv: Conversation, event: Event, ctx: Ctx) -> Move:
    if conv.step != VERIFYING:
        return Move(conv)
    if isinstance(event, CustomerVerified):
        updates = {
            "name": safe(event.name, 40),
            "bq": safe(event.current_bouquet, 30),
            "bqc": safe(event.current_bouquet_code, 40),
        }
        if event.renewal_amount and event.renewal_amount > 0:
            updates["renew"] = str(event.renewal_amount)
        following = ACTION if conv.data.get("svc") in RENEWABLE else PLAN
        at = shift(conv, following, updates=updates, drop=("renew", PENDING))
        return _pending_bouquet(at, ctx, conv.data.get(PENDING))
    if isinstance(event, CustomerInvalid):
        return Move(back(conv) or conv, hint=Hint.NOT_FOUND)
    return Move(conv)


def _pending_bouquet(conv: Conversation, ctx: Ctx, code: str | None) -> Move:
    """Just verified: the bouquet a text command named, else the usual next screen."""
    service = _service(conv, ctx)
    plan = ctx.catalog.variation(service.service_id, code) if service and code else None
    if service is None or plan is None:
        return Move(conv)
    at = goto(conv, PLAN) if conv.step == ACTION else conv
    return _buy_plan(at, ctx, service, plan)


FLOW = Flow(
    steps=frozenset({PROVIDER, CARD, VERIFYING, ACTION, PLAN, WHO, PHONE}),
    prompt=prompt,
    handle=handle,
    on_event=on_event,
    waiting=frozenset({VERIFYING}),
)
