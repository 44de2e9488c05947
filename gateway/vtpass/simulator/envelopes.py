"""JSON bodies of `/pay`, `/requery` and webhooks, and of the short error answers.

Quirks are deliberate (vtpass.md §2.6, spec §F): `/pay` writes `unit_price`/`amount` inside
`transactions` as strings and `/requery` as numbers; `/requery` adds `extras` and `product_id`
and says `method: "wallet"`; webhooks carry `transaction_date: null`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gateway.clock import LAGOS
from gateway.vtpass.simulator.amounts import json_number, money_text, plain_text
from gateway.vtpass.simulator.config import DateFormat, ReversedCode
from gateway.vtpass.simulator.fields import JSONObject
from gateway.vtpass.simulator.transactions import Status, Transaction

DESCRIPTIONS = {
    "000": "TRANSACTION PROCESSED",
    "010": "VARIATION CODE DOES NOT EXIST",
    "011": "INVALID ARGUMENTS",
    "012": "PRODUCT DOES NOT EXIST",
    "013": "BELOW MINIMUM AMOUNT ALLOWED",
    "014": "REQUEST ID ALREADY EXIST",
    "015": "INVALID REQUEST ID",
    "016": "TRANSACTION FAILED",
    "017": "ABOVE MAXIMUM AMOUNT ALLOWED",
    "018": "LOW WALLET BALANCE",
    "019": "LIKELY DUPLICATE TRANSACTION",
    "020": "BILLER CONFIRMED",
    "021": "ACCOUNT LOCKED",
    "022": "ACCOUNT SUSPENDED",
    "023": "API ACCESS NOT ENABLE FOR USER",
    "024": "ACCOUNT INACTIVE",
    "027": "IP NOT WHITELISTED, CONTACT SUPPORT",
    "028": "PRODUCT IS NOT WHITELISTED ON YOUR ACCOUNT",
    "030": "BILLER NOT REACHABLE AT THIS POINT",
    "031": "BELOW MINIMUM QUANTITY ALLOWED",
    "032": "ABOVE MINIMUM QUANTITY ALLOWED",  # sic
    "034": "SERVICE SUSPENDED",
    "035": "SERVICE INACTIVE",
    "040": "TRANSACTION REVERSAL",
    "044": "TRANSACTION RESOLVED",
    "083": "SYSTEM ERROR",
    "085": "IMPROPER REQUEST ID",
    "087": "INVALID CREDENTIALS",
    "089": "REQUEST IS PROCESSING, PLEASE WAIT BEFORE MAKING ANOTHER REQUEST",
    "091": "TRANSACTION NOT PROCESSED",
    "099": "TRANSACTION IS PROCESSING",
}
SUCCESSFUL = "TRANSACTION SUCCESSFUL"
PENDING = "TRANSACTION PROCESSING - PENDING"
REVERSED = "TRANSACTION REVERSED"
_WEBHOOK_DESCRIPTIONS = {
    Status.DELIVERED: "TRANSACTION DELIVERED",
    Status.FAILED: "TRANSACTION FAILED",
    Status.REVERSED: "TRANSACTION REVERSED",
}


def error_body(code: str, description: str | None = None) -> JSONObject:
    """`{"code", "response_description"}`: the shape of most rejections."""
    return {"code": code, "response_description": description or DESCRIPTIONS.get(code, "")}


def invalid_arguments(errors: list[str]) -> JSONObject:
    return {**error_body("011"), "content": {"errors": errors}}


def request_id_exists() -> JSONObject:
    return {**error_body("014"), "content": {"errors": []}}


def unknown_request_id() -> JSONObject:
    return {**error_body("015"), "content": {"errors": []}}


def transaction_date(at: datetime, date_format: DateFormat) -> str | JSONObject:
    if date_format == "legacy_object":
        local = at.astimezone(LAGOS).strftime("%Y-%m-%d %H:%M:%S.000000")
        return {"date": local, "timezone_type": 3, "timezone": "Africa/Lagos"}
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def pay_body(txn: Transaction, date_format: DateFormat) -> JSONObject:
    """The `/pay` answer for a stored transaction in its current state."""
    if txn.status == Status.DELIVERED:
        code, description = "000", SUCCESSFUL
    elif txn.status == Status.FAILED:
        code, description = "016", DESCRIPTIONS["016"]
    else:
        code, description = "000", PENDING
    return _envelope(
        txn, code, description, requery=False, date=transaction_date(txn.created_at, date_format)
    )


def requery_body(
    txn: Transaction, date_format: DateFormat, reversed_code: ReversedCode
) -> JSONObject:
    """The `/requery` answer (spec §G)."""
    code, description = _requery_status(txn.status, reversed_code)
    return _envelope(
        txn, code, description, requery=True, date=transaction_date(txn.created_at, date_format)
    )


def webhook_body(txn: Transaction, reversed_code: ReversedCode) -> JSONObject:
    """The `transaction-update` callback for a settled transaction (spec §H)."""
    code, _ = _requery_status(txn.status, reversed_code)
    description = _WEBHOOK_DESCRIPTIONS.get(txn.status, PENDING)
    data = _envelope(txn, code, description, requery=True, date=None)
    return {"type": "transaction-update", "data": data}


def _requery_status(status: Status, reversed_code: ReversedCode) -> tuple[str, str]:
    if status == Status.DELIVERED:
        return "000", SUCCESSFUL
    if status == Status.FAILED:
        return "016", DESCRIPTIONS["016"]
    if status == Status.REVERSED:
        return ("040", DESCRIPTIONS["040"]) if reversed_code == "040" else ("000", REVERSED)
    return "000", PENDING


def _envelope(
    txn: Transaction,
    code: str,
    description: str,
    *,
    requery: bool,
    date: str | JSONObject | None,
) -> JSONObject:
    delivered = txn.status == Status.DELIVERED
    body: JSONObject = {
        "code": code,
        "content": {"transactions": _transactions(txn, requery=requery)},
        "response_description": description,
        "requestId": txn.request_id,
        "amount": json_number(txn.amount),
        "transaction_date": date,
        "purchased_code": txn.purchased_code if delivered else "",
    }
    if delivered:
        body.update(txn.extras)
    return body


def _transactions(txn: Transaction, *, requery: bool) -> JSONObject:
    commission: Any = json_number(txn.commission)
    if txn.service.commission_as_text and not requery:
        commission = money_text(txn.commission)
    block: JSONObject = {
        "status": txn.status.value,
        "product_name": txn.service.name,
        "unique_element": txn.unique_element,
        "unit_price": json_number(txn.unit_price) if requery else plain_text(txn.unit_price),
        "quantity": txn.quantity,
        "service_verification": None,
        "channel": "api",
        "commission": commission,
        "total_amount": json_number(txn.total_amount),
        "discount": None,
        "type": txn.service.type_name,
        "email": txn.email,
        "phone": txn.account_phone,
        "name": None,
        "convinience_fee": json_number(txn.convenience_fee),
        "amount": json_number(txn.amount) if requery else plain_text(txn.amount),
        "platform": "api",
        "method": "wallet" if requery else "api",
        "transactionId": txn.transaction_id,
        "commission_details": {
            "amount": json_number(txn.commission),
            "rate": money_text(txn.commission_rate),
            "rate_type": "percent",
            "computation_type": "default",
        },
    }
    if requery:
        block["product_id"] = txn.service.product_id
        delivered = txn.status == Status.DELIVERED
        block["extras"] = txn.purchased_code if delivered and txn.purchased_code else None
    if txn.wallet_credit_id is not None:
        block["wallet_credit_id"] = txn.wallet_credit_id
    return block
