"""Why a purchase failed, in a few words a customer understands (for the failure receipt).

Why a table: VTPass answers with codes (vtpass.md §4) whose descriptions are written for
merchants ("LOW WALLET BALANCE" is *our* float, "LIKELY DUPLICATE TRANSACTION" is the 30-second
guard). The customer needs to know whether to retry, fix the number, or wait; never our
account's state. Every reason is GSM-7 and at most `REASON_MAX` characters, so a receipt that
carries one still fits one SMS. Pure: a code in, words out.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.vtpass.codes import ResponseCode as Code

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
    Code.LIKELY_DUPLICATE: DUPLICATE,
    Code.INVALID_ARGUMENTS: INVALID_DETAILS,
    Code.VARIATION_NOT_FOUND: PRODUCT_GONE,
    Code.PRODUCT_NOT_FOUND: PRODUCT_GONE,
    Code.BELOW_MINIMUM_AMOUNT: AMOUNT_LOW,
    Code.ABOVE_MAXIMUM_AMOUNT: AMOUNT_HIGH,
    Code.BELOW_MINIMUM_QUANTITY: QUANTITY,
    Code.ABOVE_MAXIMUM_QUANTITY: QUANTITY,
    Code.INVALID_BANK: RECIPIENT,
    Code.RECIPIENT_UNVERIFIED: RECIPIENT,
    Code.BILLER_UNREACHABLE: PROVIDER_DOWN,
    Code.SERVICE_SUSPENDED: PROVIDER_DOWN,
    Code.SERVICE_INACTIVE: PROVIDER_DOWN,
    Code.LOW_WALLET_BALANCE: OUR_SIDE,
    Code.BILLER_CONFIRMED: OUR_SIDE,
    Code.ACCOUNT_LOCKED: OUR_SIDE,
    Code.ACCOUNT_SUSPENDED: OUR_SIDE,
    Code.API_ACCESS_DISABLED: OUR_SIDE,
    Code.ACCOUNT_INACTIVE: OUR_SIDE,
    Code.IP_NOT_WHITELISTED: OUR_SIDE,
    Code.PRODUCT_NOT_WHITELISTED: OUR_SIDE,
    Code.IMPROPER_REQUEST_ID: OUR_SIDE,
    Code.INVALID_CREDENTIALS: OUR_SIDE,
    Code.REVERSED: REVERSED,
    Code.TRANSACTION_FAILED: NOT_COMPLETED,
    Code.NOT_PROCESSED: NOT_COMPLETED,
}


def customer_reason(code: str | None) -> str:
    """The reason to print for VTPass `code`; a generic one for a missing or unknown code."""
    return REASONS.get((code or "").strip(), NOT_COMPLETED)
