"""A stored `/pay` transaction and the sandbox scenario that decided its fate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from gateway.vtpass.simulator.products import Service


class Status(StrEnum):
    """`content.transactions.status` values the simulator produces."""

    INITIATED = "initiated"
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    REVERSED = "reversed"

    @property
    def is_open(self) -> bool:
        return self in {Status.INITIATED, Status.PENDING}

    @property
    def charges_wallet(self) -> bool:
        """Whether the merchant's wallet holds `total_amount` for a transaction in this state."""
        return self in {Status.INITIATED, Status.PENDING, Status.DELIVERED}


class Scenario(StrEnum):
    """Which row of vtpass.md spec §E step 10 answered the `/pay`."""

    SUCCESS = "success"
    PENDING = "pending"  # 201000000000
    UNEXPECTED = "unexpected"  # 500000000000
    NO_RESPONSE = "no_response"  # 400000000000
    TIMEOUT = "timeout"  # 300000000000
    FAILED = "failed"  # any other number
    OVERRIDE = "override"  # `/__sim/next-pay` chose the answer


SPECIAL_NUMBERS: dict[str, Scenario] = {
    "201000000000": Scenario.PENDING,
    "500000000000": Scenario.UNEXPECTED,
    "400000000000": Scenario.NO_RESPONSE,
    "300000000000": Scenario.TIMEOUT,
}
SUCCESS_PHONE = "08011111111"
PREPAID_METER = "1111111111111"
POSTPAID_METER = "1010101010101"
SMARTCARD = "1212121212"
JAMB_PROFILE = "0123456789"
# The documented test values: the 019 duplicate guard skips them so tests can repeat purchases.
TEST_NUMBERS = frozenset(
    {*SPECIAL_NUMBERS, SUCCESS_PHONE, PREPAID_METER, POSTPAID_METER, SMARTCARD, JAMB_PROFILE}
)


@dataclass(slots=True)
class Transaction:
    """Everything `/pay` stored; mutated only by settlement (`state.py`)."""

    request_id: str
    account_index: int
    api_key: str
    service: Service
    variation_code: str | None
    variation_name: str | None
    unique_element: str
    phone: str
    billers_code: str | None
    subscription_type: str | None
    quantity: int
    unit_price: Decimal
    amount: Decimal
    commission_rate: Decimal
    commission: Decimal
    convenience_fee: Decimal
    total_amount: Decimal
    transaction_id: str
    created_at: datetime
    scenario: Scenario
    status: Status
    origin: str  # scheme://host the purchase came in on, for certificate URLs
    email: str
    account_phone: str
    updated_at: datetime | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # top-level product extras (tokens…)
    purchased_code: str = ""
    wallet_credit_id: str | None = None

    @property
    def meter_type(self) -> str | None:
        """`prepaid`/`postpaid` for electricity (its variation_code), else None."""
        return self.variation_code if self.service.kind == "electricity" else None
