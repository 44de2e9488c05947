"""Why a purchase failed, in a few words a customer understands (for the failure receipt).

Why a table: VTPass answers with codes (vtpass.md §4) whose descriptions are written for
merchants ("LOW WALLET BALANCE" is *our* float, "LIKELY DUPLICATE TRANSACTION" is the 30-second
guard). The customer needs to know whether to retry, fix the number, or wait; never our
account's state. Every reason is GSM-7 and at most `REASON_MAX` characters, so a receipt that
carries one still fits one SMS. Pure: a code in, words out.
"""

from __future__ import annotations

from collections.abc import Mapping

REASON_MAX = 40

DUPLICATE = "same purchase was made under 30s ago"
INVALID_DETAILS = "the number or details were not valid"
PRODUCT_GONE = "this product is no longer sold"
AMOUNT_LOW = "the amount is below the minimum"
AMOUNT_HIGH = "the amount is above the maximum"
QUANTITY = "that quantity is not allowed"
PROVIDER_DOWN = "the provider is not available now"
OUR_SIDE = "our service is not available now"
RECIPIENT = "the recipient could not be verified"
REVERSED = "the provider reversed it"
NOT_COMPLETED = "the provider declined; check the number"  # 016: often a wrong number

# VTPass code -> reason; codes about our VTPass account say only that the service is down
REASONS: Mapping[str, str] = {
    "019": DUPLICATE,
    "011": INVALID_DETAILS,
    "010": PRODUCT_GONE,
    "012": PRODUCT_GONE,
    "013": AMOUNT_LOW,
    "017": AMOUNT_HIGH,
    "031": QUANTITY,
    "032": QUANTITY,
    "025": RECIPIENT,
    "026": RECIPIENT,
    "030": PROVIDER_DOWN,
    "034": PROVIDER_DOWN,
    "035": PROVIDER_DOWN,
    "018": OUR_SIDE,
    "020": OUR_SIDE,
    "021": OUR_SIDE,
    "022": OUR_SIDE,
    "023": OUR_SIDE,
    "024": OUR_SIDE,
    "027": OUR_SIDE,
    "028": OUR_SIDE,
    "085": OUR_SIDE,
    "087": OUR_SIDE,
    "040": REVERSED,
    "016": NOT_COMPLETED,
    "091": NOT_COMPLETED,
}


def customer_reason(code: str | None) -> str:
    """The reason to print for VTPass `code`; a generic one for a missing or unknown code."""
    return REASONS.get((code or "").strip(), NOT_COMPLETED)
