"""Purchase receipts, and the notice for a purchase still pending long after it was paid.

One format for every product, always starting `PayLink:`: what was bought, for whom (and the
name the provider gave, when there is one), the outcome, what was paid (`N1,100 (N1,000 + N100
fee)`), the token, units or PINs where they apply, and the purchase's one customer reference
(`PL-…`, as in the USSD acknowledgement, the API and the CLI). A failure says why in words and
that the wallet was refunded.

Sizing: a receipt takes the fewest parts it can; to get there it drops the least useful words
first (the fee breakdown, the customer's name, then long labels are clipped), never a token, a
PIN or the reference. An electricity token receipt therefore fits one SMS for every realistic
value. Result-checker cards that cannot share two parts with the receipt go on in follow-up
SMS ("cards 5-8 of 10"), each within two parts, so no SMS is ever longer than two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from gateway.domain.purchase_status import PurchaseStatus
from gateway.money import format_gsm
from gateway.texts.facts import ReceiptFacts, group_token
from gateway.texts.sms import MAX_PARTS, PREFIX, Kind, Sms, clip, one_line, parts, short_name

NAME_MAX = 20  # a provider's customer name, shortened to initials past this
UNITS_MAX = 16  # "Units: 12345.67 kWh"; anything longer is not a figure a customer needs
NOT_COMPLETED = "the provider did not complete it"  # a failure with no reason given


@dataclass(frozen=True, slots=True)
class _Cut:
    """How far one rendering shortens a receipt (None: keep whole)."""

    product: int | None = None
    breakdown: bool = True
    name: bool = True
    short_refund: bool = False
    recipient: int | None = None


# the renderings tried, fullest first; the first with the fewest parts is sent
_CUTS = (
    _Cut(),
    _Cut(breakdown=False),
    _Cut(breakdown=False, name=False),
    _Cut(product=24, breakdown=False, name=False),
    _Cut(product=24, breakdown=False, name=False, short_refund=True),
    _Cut(product=16, breakdown=False, name=False, short_refund=True, recipient=32),
)


@dataclass(frozen=True, slots=True)
class _Clean:
    """The facts' outside text as GSM-7 lines, cleaned once for every rendering."""

    facts: ReceiptFacts
    reference: str
    product: str
    recipient: str
    name: str | None
    token: str | None
    units: str | None
    reason: str

    @classmethod
    def of(cls, facts: ReceiptFacts) -> _Clean:
        return cls(
            facts=facts,
            reference=one_line(facts.reference),
            product=one_line(facts.product),
            recipient=one_line(facts.recipient or ""),
            name=short_name(facts.customer_name, NAME_MAX),
            token=group_token(one_line(facts.token)) if facts.token else None,
            units=clip(one_line(facts.units), UNITS_MAX) if facts.units else None,
            reason=one_line(facts.reason or "") or NOT_COMPLETED,
        )


def _is_card(pin: str) -> bool:
    return pin.startswith("Serial")


def _pins_part(pins: Sequence[str], numbered: tuple[int, int] | None) -> str:
    """`PINs: a, b` or `Cards: ..; ..`; numbered `Cards 1-4 of 10: ..` when split over SMS.

    A result-checker card is already "Serial No: .., PIN: ..": it is called a card, and cards
    are kept apart with "; " since each holds a comma.
    """
    cards = any(_is_card(pin) for pin in pins)
    noun = "Card" if cards else "PIN"
    joined = ("; " if cards else ", ").join(pins)
    if numbered is None:
        return f"{noun if len(pins) == 1 else noun + 's'}: {joined}"
    first, total = numbered
    last = first + len(pins) - 1
    span = f"{noun} {first}" if last == first else f"{noun}s {first}-{last}"
    return f"{span} of {total}: {joined}"


def _values(clean: _Clean, pins: Sequence[str], numbered: tuple[int, int] | None) -> str:
    found = []
    if clean.token:
        found.append(f"Token: {clean.token}")
    if clean.units:
        found.append(f"Units: {clean.units}")
    if pins:
        found.append(_pins_part(pins, numbered))
    return "".join(f" {part}." for part in found)


def _paid(facts: ReceiptFacts, breakdown: bool) -> str:
    """`N1,100 (N1,000 + N100 fee)`; just the total when there is no fee or discount."""
    total = format_gsm(facts.total)
    if not breakdown or (not facts.fee and not facts.discount):
        return total
    detail = format_gsm(facts.face)
    if facts.fee:
        detail += f" + {format_gsm(facts.fee)} fee"
    if facts.discount:
        detail += f" - {format_gsm(facts.discount)} off"
    return f"{total} ({detail})"


def _outcome(clean: _Clean, cut: _Cut, values: str) -> str:
    facts = clean.facts
    refund = f"{format_gsm(facts.total)} refunded" + (
        "." if cut.short_refund else " to your wallet."
    )
    if facts.status is PurchaseStatus.DELIVERED:
        return f"successful. Paid {_paid(facts, cut.breakdown)}.{values}"
    if facts.status is PurchaseStatus.FAILED:
        return f"failed: {clean.reason}. {refund}"
    if facts.status is PurchaseStatus.REVERSED:
        return f"was reversed by the provider. {refund}"
    raise ValueError(f"a receipt is for a settled purchase, not a {facts.status} one")


def _subject(clean: _Clean, cut: _Cut) -> str:
    """`2 x WAEC Result Checker for 08031234567`, `IKEDC Prepaid for meter 1111 (ADA OBI)`."""
    facts = clean.facts
    count = f"{facts.quantity} x " if facts.quantity > 1 else ""
    product = clean.product if cut.product is None else clip(clean.product, cut.product)
    recipient = clean.recipient if cut.recipient is None else clip(clean.recipient, cut.recipient)
    whom = f" for {recipient}" if recipient else ""
    name = f" ({clean.name})" if cut.name and clean.name else ""
    return f"{count}{product}{whom}{name}"


def _fewest_parts(render: Callable[[_Cut], str]) -> str:
    """The fullest rendering among those with the fewest parts (one part cannot be beaten)."""
    best, best_parts = "", 0
    for cut in _CUTS:
        text = render(cut)
        count = parts(text)
        if not best or count < best_parts:
            best, best_parts = text, count
        if best_parts == 1:
            break
    return best


def _receipt_text(
    clean: _Clean, pins: Sequence[str], numbered: tuple[int, int] | None = None
) -> str:
    values = _values(clean, pins, numbered)
    reference = clean.reference
    return _fewest_parts(
        lambda cut: f"{PREFIX}{_subject(clean, cut)} {_outcome(clean, cut, values)} Ref {reference}"
    )


def _more_cards(clean: _Clean, rest: Sequence[str], first: int, total: int, count: int) -> str:
    """A follow-up SMS with the next `count` PINs: `PayLink: WAEC Result Checker Cards 5-8 of
    10: ..`."""
    product = clip(clean.product, 24)
    pins = _pins_part(rest[:count], (first, total))
    return f"{PREFIX}{product} {pins}. Ref {clean.reference}"


def _most_that_fit(render: Callable[[int], str], available: int) -> tuple[int, str]:
    """The largest count (at least one) whose rendering fits `MAX_PARTS`, with its text."""
    for count in range(available, 0, -1):
        text = render(count)
        if parts(text) <= MAX_PARTS or count == 1:
            return count, text
    raise ValueError("nothing to render")


def receipt(facts: ReceiptFacts) -> tuple[Sms, ...]:
    """The receipt of a settled purchase: one SMS, or more when its cards need them."""
    clean = _Clean.of(facts)
    pins = [one_line(pin) for pin in facts.pins]
    whole = _receipt_text(clean, pins)
    if parts(whole) <= MAX_PARTS or len(pins) < 2:
        return (Sms(whole, Kind.RECEIPT),)
    total = len(pins)
    taken, text = _most_that_fit(lambda n: _receipt_text(clean, pins[:n], (1, total)), total)
    texts = [text]
    while taken < total:
        count, text = _most_that_fit(
            partial(_more_cards, clean, pins[taken:], taken + 1, total), total - taken
        )
        texts.append(text)
        taken += count
    return tuple(Sms(text, Kind.RECEIPT) for text in texts)


def pending_notice(facts: ReceiptFacts) -> Sms:
    """The one notice for a purchase still unconfirmed long after it was paid.

    Says it is not lost, that paying again would buy it twice, and what happens next.
    """
    clean = _Clean.of(facts)
    total = format_gsm(facts.total)
    reference = clean.reference
    text = _fewest_parts(
        lambda cut: (
            f"{PREFIX}we are still confirming {_subject(clean, replace(cut, name=False))}"
            f" ({total}). Do not pay again: you will get a receipt or a full refund."
            f" Ref {reference}"
        )
    )
    return Sms(text, Kind.NOTICE)
