"""What the gateway reads from Paystack, as values (paystack.md §2-4), and how it is read.

Paystack's JSON drifts between samples (`metadata` as an object, `""`, `0` or null; amounts as
strings or numbers; `customer_id` as either), so every field is read defensively here and the
rest of the gateway only sees these dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class MalformedAnswer(ValueError):
    """Paystack answered something we cannot read."""


def as_kobo(value: Any) -> int | None:
    """An amount that may come as a number or a string of digits; None if absent or bad."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True)
class Transaction:
    """A Paystack transaction as verify, a list or a `charge.success` event shows it."""

    reference: str
    status: str  # success | failed | abandoned | ongoing | pending | processing | reversed ...
    amount: int  # kobo charged
    currency: str
    domain: str  # test | live
    id: str | None = None
    requested_amount: int | None = None
    channel: str | None = None
    fees: int | None = None
    customer_code: str | None = None
    receiver_account: str | None = None  # the dedicated account a transfer went to
    gateway_response: str | None = None
    paid_at: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "success"

    @property
    def is_transfer(self) -> bool:
        return self.channel == "dedicated_nuban"

    @classmethod
    def read(cls, data: Any) -> Transaction:
        """Raises `MalformedAnswer` when a field every check needs is missing."""
        if not isinstance(data, Mapping):
            raise MalformedAnswer("transaction data is not an object")
        reference = data.get("reference")
        amount = as_kobo(data.get("amount"))
        if not isinstance(reference, str) or not reference or amount is None:
            raise MalformedAnswer("transaction without a reference or an amount")
        authorization = _mapping(data.get("authorization"))
        customer = _mapping(data.get("customer"))
        return cls(
            reference=reference,
            status=str(data.get("status") or ""),
            amount=amount,
            currency=str(data.get("currency") or ""),
            domain=str(data.get("domain") or ""),
            id=_text(data.get("id")),
            requested_amount=as_kobo(data.get("requested_amount")),
            channel=_text(data.get("channel")),
            fees=as_kobo(data.get("fees")),
            customer_code=_text(customer.get("customer_code")),
            receiver_account=_text(authorization.get("receiver_bank_account_number")),
            gateway_response=_text(data.get("gateway_response")),
            paid_at=_text(data.get("paid_at") or data.get("paidAt")),
        )


@dataclass(frozen=True, slots=True)
class Checkout:
    """An initialized transaction: where to send the payer."""

    authorization_url: str
    access_code: str
    reference: str


@dataclass(frozen=True, slots=True)
class DedicatedAccount:
    """A dedicated virtual account as Paystack created it."""

    account_number: str
    account_name: str
    bank_name: str
    customer_code: str | None

    @classmethod
    def read(cls, data: Any) -> DedicatedAccount:
        if not isinstance(data, Mapping):
            raise MalformedAnswer("dedicated account data is not an object")
        number = data.get("account_number")
        if not isinstance(number, str) or not (len(number) == 10 and number.isdigit()):
            raise MalformedAnswer("dedicated account without a 10-digit account number")
        bank = _mapping(data.get("bank"))
        return cls(
            account_number=number,
            account_name=str(data.get("account_name") or ""),
            bank_name=str(bank.get("name") or ""),
            customer_code=_text(_mapping(data.get("customer")).get("customer_code")),
        )
