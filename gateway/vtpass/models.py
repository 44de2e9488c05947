"""Typed results of the VTPass API, in the gateway's terms (kobo, `service_id`, `customer_ref`).

VTPass's own field names (`serviceID`, `billersCode`, `variation_code`) stop at this package's
edge; the raw JSON is read by `answers`, `pay_results` and `webhook_events` (codes in `codes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from gateway.money import Kobo


class Outcome(StrEnum):
    """What a `/pay` or `/requery` answer means for the money (vtpass.md §4 decision matrix)."""

    DELIVERED = "delivered"  # code 000 + status delivered (prepaid electricity: with a token)
    PENDING = "pending"  # charged or maybe charged; settle by requery or webhook, never refund
    FAILED = "failed"  # definitive failure after processing: 016, 091, status failed
    REJECTED = "rejected"  # refused before processing (010-013, 017, 018, 021-035, 085, 087)
    REVERSED = "reversed"  # 040 or status reversed: VTPass returned the money
    NOT_FOUND = "not_found"  # requery only: 015, VTPass never saw this request_id

    @property
    def is_final(self) -> bool:
        return self in {Outcome.DELIVERED, Outcome.FAILED, Outcome.REJECTED, Outcome.REVERSED}

    @property
    def refunds_customer(self) -> bool:
        return self in {Outcome.FAILED, Outcome.REJECTED, Outcome.REVERSED}


@dataclass(frozen=True, slots=True)
class Category:
    identifier: str
    name: str


@dataclass(frozen=True, slots=True)
class Service:
    service_id: str
    name: str
    category: str
    product_type: str  # "fix" (plan-priced) or "flexible" (free amount)
    min_amount: Kobo | None
    max_amount: Kobo | None
    convenience_fee: str  # as advertised, e.g. "0 %", "N100"
    image: str | None = None


@dataclass(frozen=True, slots=True)
class Variation:
    code: str
    name: str
    amount: Kobo
    fixed_price: bool


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """A merchant-verify answer. `valid` is False when VTPass said the number is wrong."""

    valid: bool
    customer_name: str | None = None
    address: str | None = None
    error: str | None = None
    meter_number: str | None = None
    customer_number: str | None = None  # TV: the account number behind the smartcard
    meter_type: str | None = None
    account_type: str | None = None
    status: str | None = None
    due_date: str | None = None
    current_bouquet: str | None = None
    current_bouquet_code: str | None = None
    renewal_amount: Kobo | None = None
    min_amount: Kobo | None = None
    accounts: tuple[tuple[str, str], ...] = ()  # Smile: (AccountId, FriendlyName)
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PayRequest:
    """One `/pay` call; `request_id` is minted once per purchase and stored before sending."""

    request_id: str
    service_id: str
    phone: str
    amount: Kobo | None = None
    customer_ref: str | None = None  # billersCode
    variation_code: str | None = None
    subscription_type: str | None = None  # "renew" | "change" (DStv, GOtv)
    quantity: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. insurance fields


@dataclass(frozen=True, slots=True)
class Card:
    """A WAEC result-checker card: both halves are needed to check a result."""

    serial: str
    pin: str


@dataclass(frozen=True, slots=True)
class PayResult:
    """The classified answer of `/pay`, `/requery` or a webhook body."""

    outcome: Outcome
    request_id: str
    code: str | None = None
    description: str | None = None
    reason: str | None = None  # why pending/failed/rejected, in plain words for logs and operators
    status: str | None = None  # content.transactions.status as sent
    transaction_id: str | None = None
    amount: Kobo | None = None
    total_amount: Kobo | None = None  # what VTPass debited from our float
    commission: Kobo | None = None
    token: str | None = None  # electricity token, prefix stripped
    units: str | None = None
    pins: tuple[str, ...] = ()  # WAEC serial/pin pairs, JAMB PIN, Showmax voucher, reg tokens
    cards: tuple[Card, ...] = ()  # WAEC cards, structured (also rendered into `pins`)
    transaction_date: datetime | None = None  # aware; None when VTPass sent null or nothing
    http_status: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)  # body for audit; never has credentials


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A parsed VTPass callback. Money never moves on its word: it only triggers a requery."""

    kind: str  # "transaction-update" | "variations-update" | other
    request_id: str | None
    result: PayResult | None
    service_id: str | None = None
