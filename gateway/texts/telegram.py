"""What PayLink tells a Telegram chat: receipts and the pending notice in the chat's own terms.

The same `ReceiptFacts` as the SMS wording (`texts.receipts`), shown the way a chat can:
`₦1,500.00`, one fact a line, names with their accents, and Telegram's HTML parse mode (the
one the channel uses for its screens). The token, PINs, cards and the reference are in `<code>`
so a tap copies them; every value from outside (product labels, names, reasons, even the
token) is escaped, so a stray `<` or `&` can neither break the message nor format it.

Why each message carries its SMS (`ChatMessage.fallback`): a receipt the chat cannot take
(the user blocked the bot, the chat is gone, Telegram keeps failing) must still reach its
customer, by SMS, worded as every SMS receipt is. Both are written together when the purchase
settles, in the outbox row of channel `telegram` (`ChatMessage.body`), so the fallback sends
exactly what settlement decided (the provider's name for the account holder, the outcome at the
time) without reading the purchase again.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.domain.purchase_status import PurchaseStatus
from gateway.money import format_rich
from gateway.texts import receipts
from gateway.texts.facts import ReceiptFacts, group_token
from gateway.texts.sms import NO_NAME

MAX_TEXT = 4096  # Telegram's limit on a message's text, after the parse mode
NAME_MAX = 60  # a provider's customer name, clipped past this (registries pad and repeat)
VALUE_MAX = 100  # any other outside line: a product label, a recipient, units, a reason
_CARD = re.compile(r"Serial No:\s*(?P<serial>.+?),\s*PIN:\s*(?P<pin>.+)", re.IGNORECASE)
_BODY_KEYS = ("telegram", "sms")


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message for a chat: `html` (Telegram's HTML parse mode, outside text escaped) and the
    SMS bodies that replace it, in order, when the chat cannot take it."""

    html: str
    fallback: tuple[str, ...]

    @property
    def body(self) -> str:
        """As the outbox keeps it (channel `telegram`): both texts, as JSON."""
        return json.dumps({"telegram": self.html, "sms": list(self.fallback)}, ensure_ascii=False)

    @classmethod
    def parse(cls, body: str) -> ChatMessage:
        """An outbox body read back. A plain text (a message queued before chat wording, or by
        hand) is shown as written (escaped) and is its own SMS."""
        try:
            found = json.loads(body) if body.startswith("{") else None
        except ValueError:
            found = None
        if (
            isinstance(found, dict)
            and set(found) == set(_BODY_KEYS)
            and isinstance(found["telegram"], str)
            and isinstance(found["sms"], list)
            and all(isinstance(sms, str) for sms in found["sms"])
        ):
            return cls(found["telegram"], tuple(found["sms"]))
        return cls(escape(body), (body,))


def escape(text: str) -> str:
    """`text` safe inside an HTML-mode message: `<`, `>` and `&` as entities."""
    return html.escape(text, quote=False)


def _line(text: str | None, width: int = VALUE_MAX) -> str:
    """Outside text as one escaped line of at most `width` characters (cut with `…`)."""
    flat = " ".join((text or "").split())
    if len(flat) > width:
        flat = flat[: width - 1].rstrip() + "…"
    return escape(flat)


def _code(value: str) -> str:
    """A value to copy (token, PIN, reference): escaped, never cut."""
    return f"<code>{escape(' '.join(value.split()))}</code>"


def _name(name: str | None) -> str | None:
    """The account holder's name as the provider gave it; None for `N/A` and the like."""
    flat = " ".join((name or "").split())
    return None if flat.lower() in NO_NAME else _line(flat, NAME_MAX)


def _subject(facts: ReceiptFacts) -> str:
    """`2 x WAEC Result Checker`."""
    count = f"{facts.quantity} x " if facts.quantity > 1 else ""
    return f"{count}{_line(facts.product)}"


def _title(facts: ReceiptFacts, outcome: str) -> str:
    """The first line, bold: `<b>IKEDC Prepaid: successful</b>`."""
    return f"<b>{_subject(facts)}: {outcome}</b>"


def _for(facts: ReceiptFacts, *, named: bool = True) -> list[str]:
    """`For meter 1111111111111 (ADA OBI)`; nothing when the facts name no one."""
    recipient = _line(facts.recipient)
    name = _name(facts.customer_name) if named else None
    if not recipient:
        return [f"For {name}"] if name else []
    return [f"For {recipient}" + (f" ({name})" if name else "")]


def _paid(facts: ReceiptFacts) -> str:
    """`Paid ₦1,100.00 (₦1,000.00 + ₦100.00 fee)`; just the total without a fee or discount."""
    paid = f"Paid {format_rich(facts.total)}"
    if not facts.fee and not facts.discount:
        return paid
    detail = format_rich(facts.face)
    if facts.fee:
        detail += f" + {format_rich(facts.fee)} fee"
    if facts.discount:
        detail += f" - {format_rich(facts.discount)} off"
    return f"{paid} ({detail})"


def _pin_lines(pins: Sequence[str]) -> list[str]:
    """`PIN: <code>..</code>`, or a numbered line each; a result-checker card's serial and PIN
    each in their own `<code>` (each is typed into its own box on the exam body's site)."""
    cards = [_CARD.fullmatch(" ".join(pin.split())) for pin in pins]
    shown = [
        _code(pin)
        if card is None
        else f"Serial No {_code(card['serial'])}, PIN {_code(card['pin'])}"
        for pin, card in zip(pins, cards, strict=True)
    ]
    noun = "Card" if any(cards) else "PIN"
    if len(shown) == 1:
        return [f"{noun}: {shown[0]}"]
    return [f"{noun}s:", *(f"{n}. {line}" for n, line in enumerate(shown, start=1))]


def _delivered(facts: ReceiptFacts) -> list[str]:
    lines = [_title(facts, "successful"), *_for(facts), _paid(facts)]
    if facts.token:
        lines.append(f"Token: {_code(group_token(' '.join(facts.token.split())))}")
    if facts.units:
        lines.append(f"Units: {_line(facts.units)}")
    if facts.pins:
        lines += _pin_lines(facts.pins)
    return lines


def _refunded(facts: ReceiptFacts) -> list[str]:
    refunded = f"{format_rich(facts.total)} refunded to your wallet."
    if facts.status is PurchaseStatus.FAILED:
        why = _line(facts.reason) or receipts.NOT_COMPLETED
        return [_title(facts, "failed"), *_for(facts), f"Why: {why}.", refunded]
    return [_title(facts, "reversed"), *_for(facts), "The provider reversed it.", refunded]


def _reference(facts: ReceiptFacts) -> str:
    return f"Ref: {_code(facts.reference)}"


def receipt(facts: ReceiptFacts) -> ChatMessage:
    """The receipt of a settled purchase: one chat message, its SMS receipt as the fallback."""
    if facts.status is PurchaseStatus.DELIVERED:
        lines = _delivered(facts)
    elif facts.status in (PurchaseStatus.FAILED, PurchaseStatus.REVERSED):
        lines = _refunded(facts)
    else:
        raise ValueError(f"a receipt is for a settled purchase, not a {facts.status} one")
    text = "\n".join([*lines, _reference(facts)])
    return ChatMessage(text, tuple(sms.body for sms in receipts.receipt(facts)))


def pending_notice(facts: ReceiptFacts) -> ChatMessage:
    """The one notice of a purchase still unconfirmed long after it was paid: not lost, do not
    pay again, a receipt or a full refund will come here."""
    lines = [
        f"We are still confirming <b>{_subject(facts)}</b> ({format_rich(facts.total)}).",
        *_for(facts, named=False),
        "Do not pay again: you will get a receipt here or a full refund.",
        _reference(facts),
    ]
    return ChatMessage("\n".join(lines), (receipts.pending_notice(facts).body,))


def wallet_funded(amount: int, balance: int, sms: str) -> ChatMessage:
    """A payment through Paystack reached the wallet (kobo), for a user with a linked chat;
    `sms` is the SMS receipt, sent instead if the chat cannot take it."""
    html_text = f"<b>Wallet funded: {format_rich(amount)}</b>\nNew balance: {format_rich(balance)}"
    return ChatMessage(html_text, (sms,))
