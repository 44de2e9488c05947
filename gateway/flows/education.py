"""Exam PINs: WAEC result checker (with quantity), WAEC registration, JAMB (profile id verified).

The exam list is the catalogue's education services. A service with one plan skips the plan
list. JAMB's profile id is verified with `type` = the chosen variation code (vtpass.md §2.4) and
the candidate's name is shown before the PIN is asked. PINs arrive by SMS to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.flows import checkout, names
from gateway.flows.catalogue import EDUCATION, Service, Variation
from gateway.flows.model import (
    Conversation,
    CustomerInvalid,
    CustomerVerified,
    Event,
    FlowName,
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
    chosen_service,
    goto,
    list_pick,
    list_screen,
    parse_digits,
    plan_label,
    shift,
    stay,
)

EXAM = "exam"
PLAN = "plan"
PROFILE = "profile"
VERIFYING = "verifying"
QUANTITY = "qty"

PROFILE_VERIFIED = frozenset({"jamb"})  # billersCode = profile id, verified with type=variation
MAX_QUANTITY: Mapping[str, int] = {"waec": 10}  # services sold in several PINs at once
_EXAM_LIST = "Choose exam:"


def _services(ctx: Ctx) -> tuple[Service, ...]:
    return ctx.catalog.services(EDUCATION)


def _service(conv: Conversation, ctx: Ctx) -> Service | None:
    return chosen_service(conv, _services(ctx))


def exam_name(service: Service) -> str:
    return names.service_name(service.service_id, service.name, 20)


def _plans(ctx: Ctx, service: Service) -> tuple[str, tuple[Variation, ...]]:
    plans = ctx.catalog.variations(service.service_id)
    if not plans:
        return f"{exam_name(service)} is not available now.", ()
    return f"{exam_name(service)}:", plans


def _plan(conv: Conversation, ctx: Ctx) -> Variation | None:
    return ctx.catalog.variation(conv.data.get("svc", ""), conv.data.get("var", ""))


def start(conv: Conversation, _ctx: Ctx) -> Move:
    return Move(goto(conv, EXAM, flow=FlowName.EDUCATION))


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    service = _service(conv, ctx)
    if conv.step == EXAM or service is None:
        return list_screen(conv, ctx, _EXAM_LIST, [exam_name(s) for s in _services(ctx)])
    if conv.step == PROFILE:
        return Screen(f"Enter {exam_name(service)} profile ID:", back=True, home=True)
    if conv.step == VERIFYING:
        return Screen(WAITING, expects_input=False)
    plan = _plan(conv, ctx)
    if conv.step == QUANTITY and plan is not None:
        most = MAX_QUANTITY.get(service.service_id, 1)
        message = f"{exam_name(service)} {ctx.money(plan.amount)} each\nHow many PINs? (1-{most})"
        return Screen(message, back=True, home=True)
    message, plans = _plans(ctx, service)
    return list_screen(conv, ctx, message, _plan_labels(ctx, service, plans))


def _after_plan(conv: Conversation, ctx: Ctx, service: Service, plan: Variation) -> Move:
    updates = {"svc": service.service_id, "var": plan.code}
    if service.service_id in PROFILE_VERIFIED:
        return Move(goto(conv, PROFILE, updates=updates))
    if service.service_id in MAX_QUANTITY:
        return Move(goto(conv, QUANTITY, updates=updates))
    return _confirm(conv, ctx, service, plan, 1)


def _plan_labels(ctx: Ctx, service: Service, plans: tuple[Variation, ...]) -> list[str]:
    return [plan_label(p, ctx, provider=exam_name(service)) for p in plans]


def _label(ctx: Ctx, service: Service, plan: Variation) -> str:
    """`WAEC Result Checker`, or `JAMB UTME PIN (with mock)` when the exam has several plans."""
    name = exam_name(service)
    if len(ctx.catalog.variations(service.service_id)) < 2:
        return name
    return clip(f"{name} {names.plan_name(plan.name, name)}", 40)


def _confirm(
    conv: Conversation, ctx: Ctx, service: Service, plan: Variation, quantity: int
) -> Move:
    profile = conv.data.get("ref") if service.service_id in PROFILE_VERIFIED else None
    order = Order(
        category=EDUCATION,
        service_id=service.service_id,
        amount=plan.amount,
        phone=conv.caller.phone,
        customer_ref=profile,
        variation_code=plan.code,
        quantity=quantity,
        label=_label(ctx, service, plan),
    )
    each = ctx.money(plan.amount)
    lines: tuple[str, ...]
    if quantity > 1:  # "2 PINs x N900 = N1,800": the count and the sum, each said once
        lines = (order.label, f"{quantity} PINs x {each} = {ctx.money(order.total)}")
    elif profile:  # the plan's name is long ("JAMB UTME PIN (without mock)"): price below
        lines = (order.label, f"{each} for profile {profile}", conv.data.get("name", ""))
    else:
        lines = (priced(order.label, each, checkout.summary_width(ctx)),)
    summary = checkout.summary(ctx, *lines)
    return checkout.begin(conv, ctx, order, summary)


def for_quantity(conv: Conversation, ctx: Ctx, service_id: str, quantity: int) -> Move:
    """A text command's exam PINs (`WAEC 2`), from the main menu `conv`: the confirm screen for
    `quantity` PINs of the service's only plan (a quantity out of bounds asks again)."""
    service = ctx.catalog.service(service_id)
    plans = ctx.catalog.variations(service_id)
    at = goto(conv, EXAM, flow=FlowName.EDUCATION)
    if service is None or len(plans) != 1:
        return stay(at, Hint.UNAVAILABLE)
    chosen = _after_plan(at, ctx, service, plans[0])
    if chosen.state is None or chosen.state.step != QUANTITY or chosen.effects:
        return chosen
    return handle(chosen.state, str(quantity), ctx)


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    if conv.step == EXAM:
        services = _services(ctx)
        index = list_pick(conv, ctx, _EXAM_LIST, [exam_name(s) for s in services], text)
        if index is None:
            return stay(conv, Hint.INVALID_CHOICE)
        chosen = services[index]
        plans = ctx.catalog.variations(chosen.service_id)
        if len(plans) == 1:  # one plan (WAEC): no list to choose from
            return _after_plan(conv, ctx, chosen, plans[0])
        return Move(goto(conv, PLAN, updates={"svc": chosen.service_id}))
    service = _service(conv, ctx)
    if service is None:
        return Move(goto(conv, EXAM))
    plan = _plan(conv, ctx)
    if conv.step == PROFILE and plan is not None:
        profile = parse_digits(text, 6, 20)
        if profile is None:
            return stay(conv, Hint.INVALID_NUMBER)
        verify = VerifyCustomer(service.service_id, profile, plan.code)
        return Move(goto(conv, VERIFYING, updates={"ref": profile}), effects=(verify,))
    if conv.step == QUANTITY and plan is not None:
        most = MAX_QUANTITY.get(service.service_id, 1)
        quantity = parse_digits(text, 1, 2)
        if quantity is None or not 1 <= int(quantity) <= most:
            return stay(conv, Hint.INVALID_QUANTITY)
        return _confirm(conv, ctx, service, plan, int(quantity))
    message, plans = _plans(ctx, service)
    index = list_pick(conv, ctx, message, _plan_labels(ctx, service, plans), text)
    if index is None:
        return stay(conv, Hint.INVALID_CHOICE)
    return _after_plan(conv, ctx, service, plans[index])


def on_event(conv: Conversation, event: Event, ctx: Ctx) -> Move:
    if conv.step != VERIFYING:
        return Move(conv)
    service = _service(conv, ctx)
    plan = _plan(conv, ctx)
    if isinstance(event, CustomerVerified) and service is not None and plan is not None:
        # back from the confirm screen returns to the profile id, not to this waiting step
        at = shift(conv, PROFILE, updates={"name": safe(event.name, 40)})
        return _confirm(at, ctx, service, plan, 1)
    if isinstance(event, CustomerInvalid):
        return Move(back(conv) or conv, hint=Hint.NOT_FOUND)
    return Move(conv)


FLOW = Flow(
    steps=frozenset({EXAM, PLAN, PROFILE, VERIFYING, QUANTITY}),
    prompt=prompt,
    handle=handle,
    on_event=on_event,
    waiting=frozenset({VERIFYING}),
)
