"""What a purchase receipt says, as data: each channel words it its own way.

The SMS wording (`texts.receipts`) is GSM-7 and sized to parts; the Telegram wording
(`texts.telegram`) shows the same facts with `₦1,500.00`. Built from a stored purchase by
`purchases.receipts.facts_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.domain.purchase_status import PurchaseStatus


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """What a receipt says. Amounts in kobo: `face` for all units, `total` = face + fee - discount.

    `recipient` is what the purchase went to, as the customer knows it ("08031234567",
    "meter 1111111111111"); `customer_name` the name the provider gave for it, if any;
    `reason` the words for a failure (`purchases.failure_reasons`); `pins` exam PINs or
    result-checker cards ("Serial No: WRN.., PIN: .."), in order.
    """

    reference: str
    product: str
    face: int
    total: int
    status: PurchaseStatus
    recipient: str | None = None
    customer_name: str | None = None
    token: str | None = None
    units: str | None = None
    pins: Sequence[str] = ()
    fee: int = 0
    discount: int = 0
    quantity: int = 1
    reason: str | None = None


def group_token(token: str) -> str:
    """A 20-digit prepaid token in fours (`2636-2054-..`), as every channel shows it: it is read
    off a phone and typed into a meter. Anything else is returned as is."""
    if token.isdigit() and len(token) % 4 == 0 and len(token) > 8:
        return "-".join(token[i : i + 4] for i in range(0, len(token), 4))
    return token
