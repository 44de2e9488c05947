"""Wallet: balance, the last five purchases with their status (and token), change PIN, the
"SMS purchases" setting (`sms_setting`) and "Fund wallet", the caller's account number (`fund`).

Balance and history are effects (`LoadBalance`, `LoadHistory`); their results are kept in the
conversation so the screens stay pure functions of it. Changing the PIN checks the current one
(`CheckPin`), then stages the new one (`StagePin`) and commits it on the second entry
(`ChangePin`); no entry is ever kept in the conversation.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from gateway.clock import LAGOS
from gateway.flows import fund, sms_setting
from gateway.flows.model import (
    BalanceLoaded,
    ChangePin,
    CheckPin,
    Conversation,
    Event,
    FlowName,
    HistoryItem,
    HistoryLoaded,
    LoadBalance,
    LoadHistory,
    Option,
    PinAccepted,
    PinMismatch,
    PinRejected,
    PinSet,
    Screen,
    StagePin,
)
from gateway.flows.screens import clip, safe
from gateway.flows.steps import (
    WAITING,
    Ctx,
    Flow,
    Hint,
    Move,
    back,
    choose,
    goto,
    home,
    list_pick,
    list_screen,
    shift,
    shown,
    stay,
    to_int,
    wrong_pin,
)
from gateway.pin_policy import RESET_HINT, is_pin_format, is_weak_pin

MENU = "menu"
LOADING_BALANCE = "balance_wait"
BALANCE = "balance"
LOADING_HISTORY = "history_wait"
HISTORY = "history"
DETAIL = "detail"
PIN_OLD = "pin_old"
CHECKING = "checking"
PIN_NEW = "pin_new"
PIN_AGAIN = "pin_again"
SAVING = "saving"
FORGOT = "forgot"

HISTORY_SIZE = 5
STATUS_WORDS = {
    "delivered": "Done",
    "pending": "Pending",
    "initiated": "Pending",
    "failed": "Failed",
    "reversed": "Refunded",
}
_HISTORY_LIST = "Last purchases:"
_MENU = (
    Option("1", "Balance"),
    Option("2", "Last purchases"),
    Option("3", "Change PIN"),
    Option("4", "Forgot PIN"),
    Option("5", "SMS purchases"),
    Option("6", "Fund wallet"),
)
# USSD cannot reset a PIN (it would need the PIN or a second factor); the web app can
FORGOT_TEXT = f"Forgot your PIN? {RESET_HINT}"

# one stored history row: label, amount (kobo), status word, when, recipient, token
_Row = tuple[str, int, str, str, str, str]


def start(conv: Conversation, _ctx: Ctx) -> Move:
    return Move(goto(conv, MENU, flow=FlowName.WALLET))


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LAGOS).strftime("%d/%m %H:%M")


def _store(items: tuple[HistoryItem, ...]) -> str:
    rows = [
        [
            safe(item.label, 24),
            max(0, item.amount),
            STATUS_WORDS.get(item.status, safe(item.status, 10)),
            _when(item.when),
            safe(item.recipient, 16),
            safe(item.token, 32),
        ]
        for item in items[:HISTORY_SIZE]
    ]
    return json.dumps(rows, separators=(",", ":"))


def _rows(conv: Conversation) -> list[_Row]:
    try:
        loaded: object = json.loads(conv.data.get("hist", "[]"))
    except ValueError:
        return []
    rows: list[_Row] = []
    for row in loaded if isinstance(loaded, list) else []:
        if (
            isinstance(row, list)
            and len(row) == 6
            and isinstance(row[1], int)
            and all(isinstance(row[i], str) for i in (0, 2, 3, 4, 5))
        ):
            rows.append((row[0], row[1], row[2], row[3], row[4], row[5]))
    return rows


def _labels(rows: list[_Row], ctx: Ctx) -> list[str]:
    return [
        shown(ctx, f"{clip(r[0], 14)} {ctx.money(r[1])} {shown(ctx, r[2], 10)}", 30) for r in rows
    ]


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    if conv.step in (LOADING_BALANCE, LOADING_HISTORY, CHECKING, SAVING):
        return Screen(WAITING, expects_input=False)
    if conv.step == BALANCE:
        balance = to_int(conv.data.get("bal")) or 0
        return Screen(f"Wallet balance: {ctx.money(balance)}", back=True, home=True)
    if conv.step == HISTORY:
        rows = _rows(conv)
        if not rows:
            return Screen("No purchases yet.", back=True, home=True)
        return list_screen(conv, ctx, _HISTORY_LIST, _labels(rows, ctx))
    if conv.step == DETAIL:
        return _detail(conv, ctx)
    if conv.step == PIN_OLD:
        return Screen("Enter current PIN:", back=True, home=True)
    if conv.step == FORGOT:
        return Screen(FORGOT_TEXT, back=True, home=True)
    if conv.step == PIN_NEW:
        return Screen("Enter new 4-digit PIN:", back=True, home=True)
    if conv.step == PIN_AGAIN:
        return Screen("Enter new PIN again:", back=True, home=True)
    return Screen("Wallet:", _MENU, back=True, home=True)


def _detail(conv: Conversation, ctx: Ctx) -> Screen:
    rows = _rows(conv)
    index = to_int(conv.data.get("sel"))
    if index is None or index >= len(rows):
        return Screen("No purchases yet.", back=True, home=True)
    label, amount, status, when, recipient, token = rows[index]
    width = ctx.profile.width
    lines = [
        shown(ctx, label, width(24)),
        f"{ctx.money(amount)} {shown(ctx, status, 10)} {shown(ctx, when, 11)}".strip(),
    ]
    if recipient:
        lines.append(f"To {shown(ctx, recipient, width(16))}")
    if token:
        lines.append(f"Token: {shown(ctx, token, width(32))}")
    return Screen("\n".join(lines), back=True, home=True)


def refreshed(conv: Conversation) -> Move:
    """`conv` continued after a dropped session: a balance or history is loaded again.

    They were loaded when first shown, maybe minutes ago (a purchase may have settled since),
    so a continued session shows today's figures, never the stored ones.
    """
    if conv.step == BALANCE:
        return Move(shift(conv, LOADING_BALANCE), effects=(LoadBalance(),))
    if conv.step == DETAIL:  # the list it was picked from, loaded again
        conv = back(conv) or conv
    if conv.step == HISTORY:
        return Move(shift(conv, LOADING_HISTORY), effects=(LoadHistory(HISTORY_SIZE),))
    return Move(conv)


def handle(conv: Conversation, text: str, ctx: Ctx) -> Move:
    if conv.step == MENU:
        picked = choose(text, len(_MENU))
        if picked == 0:
            return Move(goto(conv, LOADING_BALANCE), effects=(LoadBalance(),))
        if picked == 1:
            return Move(goto(conv, LOADING_HISTORY), effects=(LoadHistory(HISTORY_SIZE),))
        if picked == 2:
            return Move(goto(conv, PIN_OLD))
        if picked == 3:
            return Move(goto(conv, FORGOT))
        if picked == 4:
            return sms_setting.start(conv, ctx)
        if picked == 5:
            return fund.start(conv, ctx)
        return stay(conv, Hint.INVALID_CHOICE)
    if conv.step == HISTORY:
        rows = _rows(conv)
        index = list_pick(conv, ctx, _HISTORY_LIST, _labels(rows, ctx), text) if rows else None
        if index is None:
            return stay(conv, Hint.INVALID_CHOICE)
        return Move(goto(conv, DETAIL, updates={"sel": str(index)}))
    if conv.step == PIN_OLD:
        if not is_pin_format(text):
            return stay(conv, Hint.PIN_FORMAT)
        return Move(goto(conv, CHECKING), effects=(CheckPin(text),))
    if conv.step == PIN_NEW:
        if not is_pin_format(text):
            return stay(conv, Hint.PIN_FORMAT)
        if is_weak_pin(text, conv.caller.phone):
            return stay(conv, Hint.WEAK_PIN)
        return Move(goto(conv, PIN_AGAIN), effects=(StagePin(text),))
    if conv.step == PIN_AGAIN:
        if not is_pin_format(text):
            return stay(conv, Hint.PIN_FORMAT)
        return Move(shift(conv, SAVING), effects=(ChangePin(text),))
    return stay(conv, Hint.INVALID_CHOICE)  # balance and detail screens take no input


def on_event(conv: Conversation, event: Event, _ctx: Ctx) -> Move:
    if conv.step == LOADING_BALANCE and isinstance(event, BalanceLoaded):
        return Move(shift(conv, BALANCE, updates={"bal": str(max(0, event.balance))}))
    if conv.step == LOADING_HISTORY and isinstance(event, HistoryLoaded):
        return Move(shift(conv, HISTORY, updates={"hist": _store(event.items)}))
    if conv.step == CHECKING:
        if isinstance(event, PinAccepted):
            return Move(shift(conv, PIN_NEW))
        if isinstance(event, PinRejected):
            return Move(back(conv) or conv, hint=wrong_pin(event.attempts_left))
    if conv.step == SAVING:
        if isinstance(event, PinSet):
            return Move(home(conv), hint=Hint.PIN_CHANGED)
        if isinstance(event, PinMismatch):
            return Move(back(conv) or conv, hint=Hint.PIN_MISMATCH)
    return Move(conv)


FLOW = Flow(
    steps=frozenset(
        {MENU, LOADING_BALANCE, BALANCE, LOADING_HISTORY, HISTORY, DETAIL}
        | {PIN_OLD, CHECKING, PIN_NEW, PIN_AGAIN, SAVING, FORGOT}
    ),
    prompt=prompt,
    handle=handle,
    on_event=on_event,
    waiting=frozenset({LOADING_BALANCE, LOADING_HISTORY, CHECKING, SAVING}),
    pin_steps=frozenset({PIN_OLD, PIN_NEW, PIN_AGAIN}),
)
