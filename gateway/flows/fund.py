"""Fund wallet: the caller's own account number (a Paystack dedicated virtual account).

Why here, not a web page: most customers fund by bank transfer from a banking app or a bank's
USSD code, so every channel shows the number a transfer to it credits: USSD "Wallet -> Fund
wallet" and Telegram `/fund` through this flow, SMS `FUND` through `account_text` (one message).
The number is asked for by an effect (`LoadFundingAccount`); the first ask makes it at Paystack,
which can take a while, so "pending" is a normal answer ("try again in a minute"). A deployment
without bank-transfer funding says how else a wallet is filled.
"""

from __future__ import annotations

from gateway.flows.model import (
    AccountStatus,
    Conversation,
    Event,
    FlowName,
    FundingAccount,
    FundingAccountLoaded,
    LoadFundingAccount,
    Screen,
)
from gateway.flows.screens import safe
from gateway.flows.steps import (
    WAITING,
    Ctx,
    Flow,
    Hint,
    Move,
    goto,
    shift,
    shown,
    stay,
    to_int,
)
from gateway.funding import AGENT_HINT

LOADING = "account_wait"
ACCOUNT = "account"
USSD_ROOM = 160  # a profile this small gets the short labels

PENDING = "Your account number is being created. Please try again in a minute."
PENDING_BY_TEXT = "Your account number is being created. Please text FUND again in a minute."
UNAVAILABLE = "Funding by bank transfer is not available."
TITLE = "Fund by bank transfer to:"
ROOMY_TITLE = "Fund your PayLink wallet by bank transfer to your own account:"
ROOMY_CLOSING = "Any amount you send there fills your wallet."

# conversation data keys: the account as loaded (already cleaned: outside text)
_STATUS, _BANK, _NUMBER, _NAME, _CAP = "st", "bank", "num", "name", "cap"


def start(conv: Conversation, _ctx: Ctx) -> Move:
    return Move(goto(conv, LOADING, flow=FlowName.FUND), effects=(LoadFundingAccount(),))


def refreshed(conv: Conversation) -> Move:
    """`conv` continued after a dropped session: the account is asked for again (a pending one
    may be ready by now)."""
    if conv.step == ACCOUNT:
        return Move(shift(conv, LOADING), effects=(LoadFundingAccount(),))
    return Move(conv)


def account_text(account: FundingAccount, ctx: Ctx) -> str:
    """The account in this channel's words: the screen's message, or a whole SMS."""
    if account.status is AccountStatus.PENDING:
        return PENDING_BY_TEXT if ctx.profile.commands else PENDING
    if account.status is not AccountStatus.ACTIVE:
        # never the channel's own hint: that points back here
        return f"{UNAVAILABLE} {ctx.funding_hint or AGENT_HINT}"
    roomy = ctx.profile.max_chars > USSD_ROOM
    bank, name = account.bank or "", account.name or ""
    number = shown(ctx, account.number, 20 if roomy else 12)  # a NUBAN's 10 digits fit
    if roomy:
        lines = [
            ROOMY_TITLE,
            f"Bank: {shown(ctx, bank, 40)}",
            f"Account number: {number}",
            f"Account name: {shown(ctx, name, 60)}",
            ROOMY_CLOSING,
        ]
    else:  # with "0 Back", "00 Main menu" and a hint, within 160 septets
        lines = [
            TITLE,
            f"Bank: {shown(ctx, bank, 20)}",
            f"Acct: {number}",
            f"Name: {shown(ctx, name, 24)}",
        ]
    if account.fee_cap is not None:
        cap = ctx.money(account.fee_cap)
        lines.append(
            f"Paystack keeps 1% of each transfer, at most {cap}."
            if roomy
            else f"Fee 1%, max {cap}."
        )
    return "\n".join(lines)


def _stored(account: FundingAccount) -> dict[str, str]:
    data = {
        _STATUS: account.status.value,
        _BANK: safe(account.bank, 60),
        _NUMBER: safe(account.number, 20),
        _NAME: safe(account.name, 60),
    }
    if account.fee_cap is not None:
        data[_CAP] = str(max(0, account.fee_cap))
    return data


def _loaded(conv: Conversation) -> FundingAccount:
    try:
        status = AccountStatus(conv.data.get(_STATUS, ""))
    except ValueError:
        status = AccountStatus.PENDING
    if status is AccountStatus.ACTIVE and not conv.data.get(_NUMBER):
        status = AccountStatus.PENDING
    return FundingAccount(
        status,
        bank=conv.data.get(_BANK),
        number=conv.data.get(_NUMBER),
        name=conv.data.get(_NAME),
        fee_cap=to_int(conv.data.get(_CAP)),
    )


def prompt(conv: Conversation, ctx: Ctx) -> Screen:
    if conv.step == LOADING:
        return Screen(WAITING, expects_input=False)
    return Screen(account_text(_loaded(conv), ctx), back=True, home=True)


def handle(conv: Conversation, _text: str, _ctx: Ctx) -> Move:
    return stay(conv, Hint.INVALID_CHOICE)  # the account screen takes no input but 0 and 00


def on_event(conv: Conversation, event: Event, _ctx: Ctx) -> Move:
    if conv.step == LOADING and isinstance(event, FundingAccountLoaded):
        return Move(shift(conv, ACCOUNT, updates=_stored(event.account), drop=(_CAP,)))
    return Move(conv)


FLOW = Flow(
    steps=frozenset({LOADING, ACCOUNT}),
    prompt=prompt,
    handle=handle,
    on_event=on_event,
    waiting=frozenset({LOADING}),
)
