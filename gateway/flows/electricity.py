"""Electricity: disco, prepaid or postpaid, meter number, verify (name, address), amount, confirm.

The token is not waited for: the purchase ends the session and the worker sends it by SMS (and it
shows in "Last purchases"). Discos come from the catalogue; `SHORT_NAMES` only shortens the
known ones for small screens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gateway.flows import checkout
from gateway.flows.catalogue import ELECTRICITY, Service
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
from gateway.flows.screens import safe
from gateway.flows.steps import (
    WAITING,
    Ctx,
    Flow,
    Hint,
    Move,
    amount_prompt,
    amount_range,
    back,
    check_amount,
    choose,
    chosen_service,
    goto,
    list_pick,
    list_screen,
    parse_digits,
    shift,
    stay,
    to_int,
)

DISCO = "disco"
KIND = "kind"
METER = "meter"
VERIFYING = "verifying"
AMOUNT = "amount"

PENDING = "cmd.amt"  # an amount typed with a text command: offered once the meter verifies
DEFAULT_LIMITS = (500_00, 500_000_00)  # N500-N500,000 when VTPass gives no min/max
KINDS = (("prepaid", "Prepaid"), ("postpaid", "Postpaid"))
SHORT_NAMES: Mapping[str, str] = {
    "ikeja-electric": "Ikeja (IKEDC)",
    "eko-electric": "Eko (EKEDC)",
    "abuja-electric": "Abuja (AEDC)",
    "kano-electric": "Kano (KEDCO)",
    "portharcourt-electric": "PH (PHED)",
    "jos-electric": "Jos (JED)",
    "ibadan-electric": "Ibadan (IBEDC)",
    "kaduna-electric": "Kaduna (KAEDCO)",
    "enugu-electric": "Enugu (EEDC)",
    "benin-electric": "Benin (BEDC)",
    "aba-electric": "Aba (APLE)",
    "yola-electric": "Yola (YEDC)",
}
_DISCO_LIST = "Choose your disco:"


def _services(ctx: Ctx) -> tuple[Service, ...]:
    return ctx.catalog.services(ELECTRICITY)


def _service(conv: Conversation, ctx: Ctx) -> Service | None:
    return chosen_service(conv, _services(ctx))


def disco_name(service: Service) -> str:
    return SHORT_NAMES.get(service.service_id) or safe(service.name, 18)


def disco_label(service: Service) -> str:
    """The disco's acronym for receipts and "buy again" ("IKEDC"), else its short name."""
    short = disco_name(service)
    found = re.search(r"\(([A-Z]+)\)", short)
    return found.group(1) if found else short


def _kind(conv: Conversation) -> str:
    return dict(KINDS).get(conv.data.get("vt", ""), "")


def _limits(conv: Conversation, service: Service) -> tuple[int, int]:
    return amount_range(service, *DEFAULT_LIMITS, floor=to_int(conv.data.get("min")))


def start(conv: Conversation, _ctx: Ctx) -> Move:
    return Move(goto(conv, DISCO, flow=FlowName.ELECTRICITY))


def verify_meter(
    conv: Conversation, service_id: str, kind: str, meter: str, amount: int | None = None
) -> Move:
    """A text command's electricity (`LIGHT IKEJA <meter> 5000`), from the main menu `conv`:
    verify the meter now; once verified, `amount` goes to the confirm screen (with the
    customer's name) as if typed at the amount step."""
    at = goto(conv, DISCO, flow=FlowName.ELECTRICITY)
    at = goto(goto(at, KIND, updates={"svc": service_id}), METER, updates={"vt": kind})
    updates = {"ref": meter} if amount is None else {"ref": meter, PENDING: str(amount)}
    verify = VerifyCustomer(service_id, meter, kind)
    return Move(goto(at, VERIFYING, updates=updates), effects=(verify,))


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    service = _service(conv, ctx)
    if conv.step == DISCO or service is None:
        return list_screen(conv, ctx, _DISCO_LIST, [disco_name(s) for s in _services(ctx)])
    if conv.step == KIND:
        options = tuple(Option(str(n), label) for n, (_, label) in enumerate(KINDS, start=1))
        return Screen(f"{disco_name(service)} meter type:", options, back=True, home=True)
    if conv.step == METER:
        return Screen(f"Enter {_kind(conv).lower()} meter number:", back=True, home=True)
    if conv.step == VERIFYING:
        return Screen(WAITING, expects_input=False)
    lines = [
        safe(conv.data.get("name"), ctx.profile.width(28)),
        safe(conv.data.get("addr"), ctx.profile.width(40)),
        amount_prompt(ctx, _limits(conv, service)),
    ]
    return Screen("\n".join(line for line in lines if line), back=True, home=True)


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    if conv.step == DISCO:
        services = _services(ctx)
        index = list_pick(conv, ctx, _DISCO_LIST, [disco_name(s) for s in services], text)
        if index is None:
            return stay(conv, Hint.INVALID_CHOICE)
        return Move(goto(conv, KIND, updates={"svc": services[index].service_id}))
    service = _service(conv, ctx)
    if service is None:
        return Move(goto(conv, DISCO))
    if conv.step == KIND:
        picked = choose(text, len(KINDS))
        if picked is None:
            return stay(conv, Hint.INVALID_CHOICE)
        return Move(goto(conv, METER, updates={"vt": KINDS[picked][0]}))
    if conv.step == METER:
        meter = parse_digits(text, 6, 20)
        if meter is None:
            return stay(conv, Hint.INVALID_NUMBER)
        verify = VerifyCustomer(service.service_id, meter, conv.data.get("vt"))
        return Move(goto(conv, VERIFYING, updates={"ref": meter}), effects=(verify,))
    checked = check_amount(text, _limits(conv, service))
    if isinstance(checked, Hint):
        return stay(conv, checked)
    kind = _kind(conv)
    meter = conv.data.get("ref", "")
    order = Order(
        category=ELECTRICITY,
        service_id=service.service_id,
        amount=checked,
        phone=conv.caller.phone,
        customer_ref=meter,
        variation_code=conv.data.get("vt"),
        label=f"{disco_label(service)} {kind}",
    )
    summary = checkout.summary(
        ctx,
        f"{disco_name(service)} {kind} {ctx.money(checked)}",
        f"Meter {meter}",
        conv.data.get("name", ""),
    )
    return checkout.begin(conv, ctx, order, summary)


def on_event(conv: Conversation, event: Event, ctx: Ctx) -> Move:
    if conv.step != VERIFYING:
        return Move(conv)
    if isinstance(event, CustomerVerified):
        updates = {"name": safe(event.name, 40), "addr": safe(event.address, 60)}
        if event.min_amount:
            updates["min"] = str(event.min_amount)
        pending = to_int(conv.data.get(PENDING))
        at = shift(conv, AMOUNT, updates=updates, drop=(PENDING,))
        if pending:  # typed with the command: as if entered at the amount step
            return handle(at, str(pending // 100), ctx)
        return Move(at)
    if isinstance(event, CustomerInvalid):
        return Move(back(conv) or conv, hint=Hint.NOT_FOUND)
    return Move(conv)


FLOW = Flow(
    steps=frozenset({DISCO, KIND, METER, VERIFYING, AMOUNT}),
    prompt=prompt,
    handle=handle,
    on_event=on_event,
    waiting=frozenset({VERIFYING}),
)
