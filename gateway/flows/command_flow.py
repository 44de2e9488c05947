"""A conversation opened by a typed command (SMS): answered at once, or a product flow entered
part-way, as a USSD dial-string shortcut enters one.

`open_command` runs `commands.parse` on the message and, from the caller's main menu:
- answers in one message and ends: HELP, the plan or bouquet codes (`DATA MTN`, `TV DSTV`),
  how to write a command given wrongly, a hint for text that is no command;
- loads and ends: BAL (`LoadBalance`), HISTORY (`LoadHistory`), FUND (`LoadFundingAccount`,
  the caller's account number in `fund.account_text`'s words), the three steps of this flow;
- enters the product's own flow where the menus would have led (`airtime.for_amount`,
  `data.for_plan`, `electricity.verify_meter`, `tv.verify_card`, `education.for_quantity`),
  so the confirm screen, its price (the catalogue's, never a figure from the text for a plan)
  and the PIN typed back are exactly the menus' own (`checkout`).

Plan codes are the provider's word and the plan's place in the catalogue (`MTN5`), or VTPass's
own variation code; the confirm screen names the plan and its price before any PIN.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC

from gateway.clock import LAGOS
from gateway.flows import airtime, commands, data, education, electricity, fund, names, tv
from gateway.flows.catalogue import AIRTIME, DATA, ELECTRICITY, TV, Variation
from gateway.flows.commands import Command, Verb
from gateway.flows.model import (
    BalanceLoaded,
    Conversation,
    Event,
    FlowName,
    FundingAccountLoaded,
    HistoryItem,
    HistoryLoaded,
    LoadBalance,
    LoadFundingAccount,
    LoadHistory,
    Screen,
)
from gateway.flows.screens import clip, safe, size
from gateway.flows.steps import WAITING, Ctx, Flow, Move, end, goto, home, parse_phone
from gateway.flows.wallet import STATUS_WORDS

LOADING_BALANCE = "balance_wait"
LOADING_HISTORY = "history_wait"
LOADING_ACCOUNT = "account_wait"
HISTORY_SIZE = 5
WAEC = "waec"

HELP = "\n".join(
    (
        "PayLink SMS commands:",
        "BAL - wallet balance",
        "FUND - account no.",
        "HISTORY - last purchases",
        "AIRTIME 500 [number]",
        "DATA MTN - plan codes",
        "DATA <code> [number]",
        "LIGHT IKEJA <meter> 5000 [postpaid]",
        "TV DSTV - bouquet codes",
        "TV DSTV <card> [bouquet]",
        "WAEC [how many]",
        "STOP/START - notices",
        "Reply with PIN to pay.",
    )
)
UNKNOWN = "Sorry, we did not understand that. Text HELP for the commands."
NO_ACCOUNT = "This number has no PayLink account yet. Please join on the PayLink USSD menu first."
NOTICES = "Text STOP to stop PayLink notices, START to get them again."
USAGE: Mapping[Verb, str] = {
    Verb.AIRTIME: "Text AIRTIME <amount> [number], e.g. AIRTIME 500 08031234567",
    Verb.DATA: "Text DATA MTN, DATA GLO, DATA AIRTEL or DATA 9MOBILE for plan codes,"
    " then DATA <code> [number]",
    Verb.LIGHT: "Text LIGHT <disco> <meter> <amount> [postpaid], e.g. LIGHT IKEJA 45012345678 5000",
    Verb.TV: "Text TV DSTV, TV GOTV or TV STARTIMES for bouquet codes,"
    " or TV <provider> <card> [bouquet]",
    Verb.WAEC: "Text WAEC [how many], e.g. WAEC 2",
}

# the word a provider is texted by -> its serviceID; the first word of a service names its codes
AIRTIME_SERVICES: Mapping[str, str] = {
    "mtn": "mtn",
    "glo": "glo",
    "airtel": "airtel",
    "9mobile": "etisalat",
    "etisalat": "etisalat",
}
DATA_SERVICES: Mapping[str, str] = {
    "mtn": "mtn-data",
    "glo": "glo-data",
    "airtel": "airtel-data",
    "9mobile": "etisalat-data",
    "etisalat": "etisalat-data",
    "glosme": "glo-sme-data",
    "smile": "smile-direct",
    "spectranet": "spectranet",
}
TV_SERVICES: Mapping[str, str] = {
    "dstv": "dstv",
    "gotv": "gotv",
    "startimes": "startimes",
    "star": "startimes",
    "showmax": "showmax",
}
DISCOS: Mapping[str, str] = {
    "ikeja": "ikeja-electric",
    "ikedc": "ikeja-electric",
    "eko": "eko-electric",
    "ekedc": "eko-electric",
    "abuja": "abuja-electric",
    "aedc": "abuja-electric",
    "kano": "kano-electric",
    "kedco": "kano-electric",
    "ph": "portharcourt-electric",
    "portharcourt": "portharcourt-electric",
    "phed": "portharcourt-electric",
    "jos": "jos-electric",
    "jed": "jos-electric",
    "ibadan": "ibadan-electric",
    "ibedc": "ibadan-electric",
    "kaduna": "kaduna-electric",
    "kaedco": "kaduna-electric",
    "enugu": "enugu-electric",
    "eedc": "enugu-electric",
    "benin": "benin-electric",
    "bedc": "benin-electric",
    "aba": "aba-electric",
    "aple": "aba-electric",
    "abedc": "aba-electric",
    "yola": "yola-electric",
    "yedc": "yola-electric",
}
_SHORT_CODE = re.compile(r"([a-z0-9]*?[a-z])([0-9]{1,3})")


def open_command(conv: Conversation, text: str, ctx: Ctx) -> Move:
    """The answer to command `text` from the caller's main menu `conv` (never raises)."""
    if not conv.caller.has_pin:
        return end(NO_ACCOUNT)
    return _run(home(conv), commands.parse(text), ctx)


def _run(conv: Conversation, command: Command, ctx: Ctx) -> Move:
    if isinstance(command, commands.Plain):
        return _plain(conv, command.verb)
    if isinstance(command, commands.Usage):
        return end(USAGE.get(command.verb, UNKNOWN))
    if isinstance(command, commands.Airtime):
        return _airtime(conv, command, ctx)
    if isinstance(command, commands.DataPlans):
        return _codes(ctx, DATA, DATA_SERVICES, command.provider, command.page, Verb.DATA)
    if isinstance(command, commands.DataBuy):
        return _data(conv, command, ctx)
    if isinstance(command, commands.Light):
        return _light(conv, command, ctx)
    if isinstance(command, commands.TvPlans):
        return _codes(ctx, TV, TV_SERVICES, command.provider, command.page, Verb.TV)
    if isinstance(command, commands.Tv):
        return _tv(conv, command, ctx)
    if isinstance(command, commands.TvByPhone):
        return _tv_by_phone(conv, command, ctx)
    if isinstance(command, commands.Waec):
        if ctx.catalog.service(WAEC) is None:
            return end(_unavailable("WAEC result checker PINs"))
        return education.for_quantity(conv, ctx, WAEC, command.quantity)
    return end(UNKNOWN)


def _plain(conv: Conversation, verb: Verb) -> Move:
    if verb is Verb.BAL:
        return Move(goto(conv, LOADING_BALANCE, flow=FlowName.COMMAND), effects=(LoadBalance(),))
    if verb is Verb.HISTORY:
        at = goto(conv, LOADING_HISTORY, flow=FlowName.COMMAND)
        return Move(at, effects=(LoadHistory(HISTORY_SIZE),))
    if verb is Verb.FUND:
        at = goto(conv, LOADING_ACCOUNT, flow=FlowName.COMMAND)
        return Move(at, effects=(LoadFundingAccount(),))
    if verb in (Verb.STOP, Verb.START):  # the channel keeps this setting, not a conversation
        return end(NOTICES)
    return end(HELP)


def _unavailable(what: str) -> str:
    return f"Sorry, {what} cannot be bought now. Please try again later."


def _recipient(typed: str | None, conv: Conversation, ctx: Ctx) -> str | None:
    """The number a purchase is for: the sender's unless another was typed (None: not one
    this gateway may buy for)."""
    return conv.caller.phone if typed is None else parse_phone(typed, ctx)


def _invalid_phone(typed: str | None) -> Move:
    return end(f"{safe(typed, 16)} is not a Nigerian mobile number. Please check it.")


def _airtime(conv: Conversation, command: commands.Airtime, ctx: Ctx) -> Move:
    phone = _recipient(command.recipient, conv, ctx)
    if phone is None:
        return _invalid_phone(command.recipient)
    if not ctx.catalog.services(AIRTIME):
        return end(_unavailable("airtime"))
    service_id = AIRTIME_SERVICES.get(command.network or "")
    return airtime.for_amount(conv, ctx, command.amount, phone, service_id)


def _data(conv: Conversation, command: commands.DataBuy, ctx: Ctx) -> Move:
    found = find_plan(ctx, DATA, DATA_SERVICES, command.code)
    if found is None:
        return end(f"No data plan has code {safe(command.code, 20).upper()}. {USAGE[Verb.DATA]}")
    phone = _recipient(command.recipient, conv, ctx)
    if phone is None:
        return _invalid_phone(command.recipient)
    return data.for_plan(conv, ctx, found[0], found[1].code, phone)


def _light(conv: Conversation, command: commands.Light, ctx: Ctx) -> Move:
    service_id = DISCOS.get(command.disco, f"{command.disco}-electric")
    service = ctx.catalog.service(service_id)
    if service is None or service.category != ELECTRICITY:
        listed = ", ".join(
            code_word(sid, DISCOS).upper()
            for sid in dict.fromkeys(DISCOS.values())
            if _sold(ctx, sid)
        )
        return end(f"Unknown disco {safe(command.disco, 16).upper()}. Try {listed}.")
    return electricity.verify_meter(
        conv, service.service_id, command.kind, command.meter, command.amount
    )


def _tv(conv: Conversation, command: commands.Tv, ctx: Ctx) -> Move:
    service_id = TV_SERVICES.get(command.provider, command.provider)
    if not _sold(ctx, service_id, TV) or service_id in tv.PHONE_BILLED:
        return end(USAGE[Verb.TV])
    code = None
    if command.bouquet is not None:
        found = find_plan(ctx, TV, TV_SERVICES, command.bouquet)
        if found is None or found[0] != service_id:
            bouquet = safe(command.bouquet, 20).upper()
            provider = command.provider.upper()
            return end(f"No bouquet has code {bouquet}. Text TV {provider} for the codes.")
        code = found[1].code
    return tv.verify_card(conv, service_id, command.card, code)


def _tv_by_phone(conv: Conversation, command: commands.TvByPhone, ctx: Ctx) -> Move:
    service_id = TV_SERVICES.get(command.provider, command.provider)
    found = find_plan(ctx, TV, TV_SERVICES, command.code)
    if found is None or found[0] != service_id:
        provider = command.provider.upper()
        return end(f"No {provider} plan has code {safe(command.code, 20).upper()}.")
    phone = _recipient(command.recipient, conv, ctx)
    if phone is None:
        return _invalid_phone(command.recipient)
    return tv.for_phone(conv, ctx, service_id, found[1].code, phone)


# -- plan codes ------------------------------------------------------------------------------


def _sold(ctx: Ctx, service_id: str, category: str | None = None) -> bool:
    service = ctx.catalog.service(service_id)
    return service is not None and (category is None or service.category == category)


def code_word(service_id: str, words: Mapping[str, str]) -> str:
    """The word a service's plan codes start with (`mtn` for `mtn-data`)."""
    return next((word for word, sid in words.items() if sid == service_id), service_id)


def find_plan(
    ctx: Ctx, category: str, words: Mapping[str, str], code: str
) -> tuple[str, Variation] | None:
    """(serviceID, plan) a code names: VTPass's variation code (any service of `category`), or
    a listed code, a provider's word and the plan's place (`mtn5`)."""
    wanted = code.lower()
    for service in ctx.catalog.services(category):
        for plan in ctx.catalog.variations(service.service_id):
            if plan.code.lower() == wanted:
                return service.service_id, plan
    short = _SHORT_CODE.fullmatch(wanted)
    if short is None or short.group(1) not in words:
        return None
    service_id = words[short.group(1)]
    plans = ctx.catalog.variations(service_id) if _sold(ctx, service_id, category) else ()
    index = int(short.group(2)) - 1
    return (service_id, plans[index]) if 0 <= index < len(plans) else None


def _codes(
    ctx: Ctx, category: str, words: Mapping[str, str], typed: str, page: int, verb: Verb
) -> Move:
    service_id = words.get(typed, typed)
    if not _sold(ctx, service_id, category) or not ctx.catalog.variations(service_id):
        return end(USAGE[verb])
    word = code_word(service_id, words).upper()
    service = ctx.catalog.service(service_id)
    provider = names.service_name(service_id, service.name if service else service_id, 14)
    lines = [
        names.priced(
            f"{word}{n} {names.plan_name(plan.name, provider)}", ctx.money(plan.amount), 34
        )
        for n, plan in enumerate(ctx.catalog.variations(service_id), start=1)
    ]
    if category == DATA:
        title = f"{provider} plans. Text DATA <code> [number]:"
    elif service_id in tv.PHONE_BILLED:
        title = f"{provider} plans. Text TV {word} <code> [number]:"
    else:
        title = f"{provider} bouquets. Text TV {word} <card> <code>:"
    pages = _pack(title, lines, f"More: {verb.value} {word} 99", ctx)
    index = min(page, len(pages)) - 1
    shown = [title, *pages[index]]
    if index + 1 < len(pages):
        shown.append(f"More: {verb.value} {word} {index + 2}")
    return end("\n".join(shown))


def _pack(title: str, lines: Sequence[str], more: str, ctx: Ctx) -> list[list[str]]:
    """`lines` split into pages that each fit one message under `title` with a `more` line."""
    room = ctx.profile.max_chars - size(title, ctx.profile) - size(more, ctx.profile) - 2
    pages: list[list[str]] = [[]]
    used = 0
    for line in lines:
        cost = size(line, ctx.profile) + 1
        if pages[-1] and used + cost > room:
            pages.append([])
            used = 0
        pages[-1].append(clip(line, room - 1))
        used += cost
    return pages


# -- balance and history ---------------------------------------------------------------------


def _history(items: tuple[HistoryItem, ...], ctx: Ctx) -> str:
    if not items:
        return "No purchases yet."
    shown = ["Last purchases:"]
    used = len(shown[0])
    for item in items[:HISTORY_SIZE]:
        status = STATUS_WORDS.get(item.status, safe(item.status, 10))
        when = ""
        if item.when is not None:
            aware = item.when if item.when.tzinfo else item.when.replace(tzinfo=UTC)
            when = aware.astimezone(LAGOS).strftime(" %d/%m")
        line = f"{safe(item.label, 22)} {ctx.money(max(0, item.amount))} {status}{when}"
        if item.token:
            line += f" {safe(item.token, 40)}"
        if used + 1 + size(line, ctx.profile) > ctx.profile.max_chars:
            break
        shown.append(line)
        used += 1 + size(line, ctx.profile)
    return "\n".join(shown)


def prompt(_conv: Conversation, _ctx: Ctx) -> Screen:
    return Screen(WAITING, expects_input=False)


def handle(conv: Conversation, _text: str, _ctx: Ctx) -> Move:
    return Move(home(conv))  # both steps wait; the engine never hands them input


def on_event(conv: Conversation, event: Event, ctx: Ctx) -> Move:
    if conv.step == LOADING_BALANCE and isinstance(event, BalanceLoaded):
        return end(f"Wallet balance: {ctx.money(max(0, event.balance))}.")
    if conv.step == LOADING_HISTORY and isinstance(event, HistoryLoaded):
        return end(_history(event.items, ctx))
    if conv.step == LOADING_ACCOUNT and isinstance(event, FundingAccountLoaded):
        return end(fund.account_text(event.account, ctx))
    return Move(conv)


_LOADING = frozenset({LOADING_BALANCE, LOADING_HISTORY, LOADING_ACCOUNT})
FLOW = Flow(steps=_LOADING, prompt=prompt, handle=handle, on_event=on_event, waiting=_LOADING)
