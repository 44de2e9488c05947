"""VTPass's response codes (vtpass.md §4): one name per code, and what each means for the money.

The wire carries three digits (`"016"`); `ResponseCode` names them, and because it is a
`StrEnum` a name equals its digits, so tables keyed by names answer lookups by the digits the
parser reads. `PAY_OUTCOMES` is the decision matrix for codes whose meaning does not depend on
the transaction status; `000`, `015` and `040` need the status or the call, so `classify`
decides them itself. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from gateway.vtpass.models import Outcome


class ResponseCode(StrEnum):
    """Every code VTPass documents, by what it says."""

    OK = "000"
    VARIATION_NOT_FOUND = "010"
    INVALID_ARGUMENTS = "011"
    PRODUCT_NOT_FOUND = "012"
    BELOW_MINIMUM_AMOUNT = "013"
    REQUEST_ID_USED = "014"
    REQUEST_ID_UNKNOWN = "015"
    TRANSACTION_FAILED = "016"
    ABOVE_MAXIMUM_AMOUNT = "017"
    LOW_WALLET_BALANCE = "018"
    LIKELY_DUPLICATE = "019"
    BILLER_CONFIRMED = "020"
    ACCOUNT_LOCKED = "021"
    ACCOUNT_SUSPENDED = "022"
    API_ACCESS_DISABLED = "023"
    ACCOUNT_INACTIVE = "024"
    INVALID_BANK = "025"
    RECIPIENT_UNVERIFIED = "026"
    IP_NOT_WHITELISTED = "027"
    PRODUCT_NOT_WHITELISTED = "028"
    BILLER_UNREACHABLE = "030"
    BELOW_MINIMUM_QUANTITY = "031"
    ABOVE_MAXIMUM_QUANTITY = "032"
    SERVICE_SUSPENDED = "034"
    SERVICE_INACTIVE = "035"
    REVERSED = "040"
    RESOLVED_BY_HAND = "044"
    SYSTEM_ERROR = "083"
    IMPROPER_REQUEST_ID = "085"
    INVALID_CREDENTIALS = "087"
    EARLIER_REQUEST_PROCESSING = "089"
    NOT_PROCESSED = "091"
    PROCESSING = "099"


_C = ResponseCode

# Codes by the outcome they mean, each with why (for operators). Anything not listed and not
# decided by `classify` is PENDING, VTPass's own rule for an unclear answer.
_OPEN: Mapping[str, str] = {  # PENDING: charged or maybe charged; settle by requery, never refund
    _C.PROCESSING: "VTPass is still processing the transaction",
    _C.EARLIER_REQUEST_PROCESSING: (
        "VTPass is still processing an earlier request; wait, then requery"
    ),
    _C.SYSTEM_ERROR: "VTPass reported a system error; the transaction may still go through",
    _C.RESOLVED_BY_HAND: (
        "VTPass staff resolved the transaction by hand; contact VTPass to settle it"
    ),
    _C.REQUEST_ID_USED: "this request_id was already used; requery it to learn that outcome",
}
_FAILED: Mapping[str, str] = {  # FAILED: a definitive failure after processing
    _C.TRANSACTION_FAILED: "VTPass reports the transaction failed",
    _C.NOT_PROCESSED: "VTPass did not process the transaction and did not charge us",
}
_REFUSED: Mapping[str, str] = {  # REJECTED: refused before processing
    _C.VARIATION_NOT_FOUND: "the plan (variation_code) does not exist",
    _C.INVALID_ARGUMENTS: "the request had missing or invalid fields",
    _C.PRODUCT_NOT_FOUND: "the product (serviceID) does not exist",
    _C.BELOW_MINIMUM_AMOUNT: "the amount is below the minimum allowed",
    _C.ABOVE_MAXIMUM_AMOUNT: "the amount is above the maximum allowed",
    _C.LOW_WALLET_BALANCE: "our VTPass wallet balance is too low",
    _C.LIKELY_DUPLICATE: "VTPass suspects a duplicate: same product and number within 30 seconds",
    _C.BILLER_CONFIRMED: "VTPass answered a purchase with a verification code; treat it as refused",
    _C.ACCOUNT_LOCKED: "our VTPass account is locked",
    _C.ACCOUNT_SUSPENDED: "our VTPass account is suspended",
    _C.API_ACCESS_DISABLED: "API access is not enabled on our VTPass account",
    _C.ACCOUNT_INACTIVE: "our VTPass account is inactive",
    _C.INVALID_BANK: "the recipient bank is invalid",
    _C.RECIPIENT_UNVERIFIED: "the recipient account could not be verified",
    _C.IP_NOT_WHITELISTED: "our server's IP address is not whitelisted at VTPass",
    _C.PRODUCT_NOT_WHITELISTED: "this product is not enabled (whitelisted) on our VTPass account",
    _C.BILLER_UNREACHABLE: "the biller cannot be reached at the moment; nothing was charged",
    _C.BELOW_MINIMUM_QUANTITY: "the quantity is below the minimum allowed",
    _C.ABOVE_MAXIMUM_QUANTITY: "the quantity is above the maximum allowed",
    _C.SERVICE_SUSPENDED: "the service is suspended at VTPass",
    _C.SERVICE_INACTIVE: "the service is inactive at VTPass",
    _C.IMPROPER_REQUEST_ID: "the request_id is not dated today in Lagos time (YYYYMMDDHHII)",
    _C.INVALID_CREDENTIALS: "VTPass rejected our API credentials",
}
# code -> (outcome, why): the decision matrix `classify` reads
PAY_OUTCOMES: Mapping[str, tuple[Outcome, str]] = {
    code: (outcome, why)
    for outcome, table in (
        (Outcome.PENDING, _OPEN),
        (Outcome.FAILED, _FAILED),
        (Outcome.REJECTED, _REFUSED),
    )
    for code, why in table.items()
}

# `transactions.status` values under code 000 that leave the outcome open
PENDING_STATUSES: Mapping[str, str] = {
    "initiated": "VTPass accepted the transaction but has not processed it yet",
    "pending": "VTPass charged us and is waiting for the provider; do not refund",
    "resolved": "VTPass staff resolved the transaction by hand; contact VTPass to settle it",
}

# merchant-verify: 000 carries the answer (valid or not); 020 is "biller confirmed"
VERIFY_ANSWERED = frozenset({_C.OK, _C.BILLER_CONFIRMED})
# balance: 001 is undocumented but seen with a balance attached
BALANCE_ANSWERED = frozenset({_C.OK, "001"})
