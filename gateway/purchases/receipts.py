"""The customer's receipt as GSM-7 text (SMS, and the outbox on the embedded default).

One format for every product, always starting `PayLink:`: what was bought, for whom, the
outcome, what was paid (`N1,100 (N1,000 + N100 fee)`: the fee is never hidden), the token,
units or PINs where they apply, and the purchase's one customer reference (`PL-…`, as in the
USSD acknowledgement, the API, the CLI and the operator routes). A failure says why in words
(`failure_reasons`) and that the wallet was refunded. GSM-7 only (`N1,500`, never `₦`) so one
SMS holds 160 characters; a longer receipt drops the least useful words first (the fee
breakdown, then long names), and one that still needs more (a token, several PINs) takes the
fewest segments it can, never cut.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.domain.purchase_status import PurchaseStatus
from gateway.gsm7 import septets, to_gsm7
from gateway.money import format_gsm
from gateway.phones import to_local
from gateway.purchases.failure_reasons import customer_reason
from gateway.store import outbox
from gateway.store.purchases import PurchaseRecord

SMS_LIMIT = 160
SEGMENT = 153  # septets per part of a concatenated SMS (7 go to the joining header)
PREFIX = "PayLink: "


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """What a receipt says. Amounts in kobo: `face` for all units, `total` = face + fee - discount.

    `recipient` is what the purchase went to, as the customer knows it ("08031234567",
    "meter 1111111111111"); `reason` the words for a failure (`failure_reasons`).
    """

    reference: str
    product: str
    face: int
    total: int
    status: PurchaseStatus
    recipient: str | None = None
    token: str | None = None
    units: str | None = None
    pins: Sequence[str] = ()
    fee: int = 0
    discount: int = 0
    quantity: int = 1
    reason: str | None = None


# what a customer reference is called, by category (a phone number needs no word)
_REF_WORDS = {
    "electricity-bill": "meter",
    "tv-subscription": "card",
    "education": "profile",
}


def recipient_of(purchase: PurchaseRecord) -> str:
    """`08031234567`, `meter 1111111111111`, `card 1212121212`, `account 1402000567`."""
    phone = to_local(purchase.phone)  # one stored before today's rules comes back as stored
    ref = purchase.customer_ref
    if not ref or ref == phone:
        return phone
    return f"{_REF_WORDS.get(purchase.category, 'account')} {ref}"


def facts_of(purchase: PurchaseRecord) -> ReceiptFacts:
    """The receipt facts of a purchase as stored."""
    failed = purchase.status in (PurchaseStatus.FAILED, PurchaseStatus.REVERSED)
    return ReceiptFacts(
        reference=purchase.reference,
        product=purchase.product,
        face=purchase.face_amount,
        total=purchase.total,
        status=purchase.status,
        recipient=recipient_of(purchase),
        token=purchase.token,
        units=purchase.units,
        pins=purchase.pins,
        fee=purchase.fee,
        discount=purchase.discount,
        quantity=purchase.quantity,
        reason=customer_reason(purchase.vtpass_code) if failed else None,
    )


def _group_token(token: str) -> str:
    # a 20-digit prepaid token is read off a phone and typed into a meter: group it in fours
    if token.isdigit() and len(token) % 4 == 0 and len(token) > 8:
        return "-".join(token[i : i + 4] for i in range(0, len(token), 4))
    return token


def segments(text: str) -> int:
    """SMS parts `text` is sent in (one up to 160 septets, then 153 per part)."""
    length = septets(text)
    return 1 if length <= SMS_LIMIT else math.ceil(length / SEGMENT)


def _value_part(facts: ReceiptFacts) -> str:
    parts = []
    if facts.token:
        parts.append(f"Token: {_group_token(facts.token)}")
    if facts.units:
        parts.append(f"Units: {facts.units}")
    if facts.pins:
        # a result-checker card is already "Serial No: .., PIN: ..": label it a card, and keep
        # cards apart with "; " since each holds a comma
        cards = any(pin.startswith("Serial") for pin in facts.pins)
        noun = "Card" if cards else "PIN"
        label = noun if len(facts.pins) == 1 else f"{noun}s"
        parts.append(f"{label}: {('; ' if cards else ', ').join(facts.pins)}")
    return "".join(f" {part}." for part in parts)


def _paid(facts: ReceiptFacts, breakdown: bool) -> str:
    """`N1,100 (N1,000 + N100 fee)`; just the total when there is no fee or discount."""
    total = format_gsm(facts.total)
    if not breakdown or (not facts.fee and not facts.discount):
        return total
    parts = format_gsm(facts.face)
    if facts.fee:
        parts += f" + {format_gsm(facts.fee)} fee"
    if facts.discount:
        parts += f" - {format_gsm(facts.discount)} off"
    return f"{total} ({parts})"


def _outcome(facts: ReceiptFacts, breakdown: bool, short: bool) -> str:
    refund = f"{format_gsm(facts.total)} refunded" + ("." if short else " to your wallet.")
    if facts.status is PurchaseStatus.DELIVERED:
        return f"successful. Paid {_paid(facts, breakdown)}.{_value_part(facts)}"
    if facts.status is PurchaseStatus.FAILED:
        return f"failed: {facts.reason or customer_reason(None)}. {refund}"
    if facts.status is PurchaseStatus.REVERSED:
        return f"was reversed by the provider. {refund}"
    return f"is processing. Paid {_paid(facts, breakdown)}. We will text you the result."


def render_receipt(facts: ReceiptFacts) -> str:
    """The receipt text: one SMS when it can be, else the fewest parts; always `PayLink:`."""
    recipient = f" for {facts.recipient}" if facts.recipient else ""
    count = f"{facts.quantity} x " if facts.quantity > 1 else ""
    ref = f" Ref {facts.reference}"
    texts = [
        to_gsm7(f"{PREFIX}{count}{clip_product}{recipient} {_outcome(facts, full, short)}{ref}")
        for clip_product, full, short in (
            (facts.product, True, False),
            (facts.product, False, False),
            (facts.product[:24].rstrip(), False, False),
            (facts.product[:24].rstrip(), False, True),
        )
    ]
    fewest = min(segments(text) for text in texts)
    return next(text for text in texts if segments(text) == fewest)


def receipt_message(purchase: PurchaseRecord, buyer: str | None) -> outbox.NewMessage:
    """The receipt of a settled purchase as an outbox message to its buyer (else its phone)."""
    return outbox.NewMessage(
        phone=buyer or purchase.phone,
        body=render_receipt(facts_of(purchase)),
        channel="telegram" if purchase.channel == "telegram" else "sms",
        user_id=purchase.user_id,
        purchase_id=purchase.id,
    )
