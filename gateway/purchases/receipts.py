"""The customer's receipt as one short GSM-7 text (SMS, and the outbox on the embedded default).

GSM-7 only (`N1,500`, never `₦`) so one SMS holds 160 characters; when a receipt is longer we
drop the least useful words first, but never cut a token or a PIN: a second SMS is cheaper than
a customer who cannot load the meter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.money import format_gsm
from gateway.purchases.statuses import PurchaseStatus

SMS_LIMIT = 160
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€")  # each costs two septets


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """What a receipt says; amounts in kobo, `recipient` is a local phone or a meter/card."""

    reference: str
    product: str
    face: int
    total: int
    status: PurchaseStatus
    recipient: str | None = None
    token: str | None = None
    units: str | None = None
    pins: Sequence[str] = ()


def to_gsm7(text: str) -> str:
    """`text` with every character a GSM-7 handset shows as sent: `₦` -> `N`, accents dropped."""
    text = text.replace("₦", "N")
    out = []
    for char in text:
        if char in _GSM7_BASIC or char in _GSM7_EXTENDED:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out.append(base if base and all(c in _GSM7_BASIC for c in base) else "?")
    return "".join(out)


def gsm7_length(text: str) -> int:
    """Septets `text` takes in one SMS (extension characters count twice)."""
    return sum(2 if char in _GSM7_EXTENDED else 1 for char in text)


def _group_token(token: str) -> str:
    # a 20-digit prepaid token is read off a phone and typed into a meter: group it in fours
    if token.isdigit() and len(token) % 4 == 0 and len(token) > 8:
        return "-".join(token[i : i + 4] for i in range(0, len(token), 4))
    return token


def _value_part(facts: ReceiptFacts) -> str:
    parts = []
    if facts.token:
        parts.append(f"Token: {_group_token(facts.token)}")
    if facts.units:
        parts.append(f"Units: {facts.units}")
    if facts.pins:
        label = "PIN" if len(facts.pins) == 1 else "PINs"
        parts.append(f"{label}: {', '.join(facts.pins)}")
    return "".join(f" {part}." for part in parts)


def render_receipt(facts: ReceiptFacts) -> str:
    """The receipt text, at most 160 GSM-7 characters unless its token or PINs need more."""
    amount = format_gsm(facts.face)
    refund = f" {format_gsm(facts.total)} refunded to your wallet."
    outcome = {
        PurchaseStatus.DELIVERED: " successful." + _value_part(facts),
        PurchaseStatus.FAILED: " failed." + refund,
        PurchaseStatus.REVERSED: " was reversed." + refund,
    }.get(facts.status, " is processing. We will text you the result.")
    recipient = f" for {facts.recipient}" if facts.recipient else ""
    ref = f" Ref {facts.reference}"
    candidates = (
        f"PayLink: {facts.product} {amount}{recipient}{outcome}{ref}",
        f"{facts.product} {amount}{recipient}{outcome}{ref}",
        f"{facts.product} {amount}{outcome}{ref}",
        f"{facts.product} {amount}{outcome}",
    )
    texts = [to_gsm7(candidate) for candidate in candidates]
    for text in texts:
        if gsm7_length(text) <= SMS_LIMIT:
            return text
    return texts[-1]
