"""The purchase service's vocabulary: orders, policy, results, refusals, and the VTPass port."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from gateway.errors import Conflict, InvalidInput
from gateway.store.purchases import PurchaseRecord
from gateway.vtpass.models import PayRequest, PayResult


class VendingGateway(Protocol):
    """What the service needs from VTPass; `VTPassClient` fits, tests use a fake."""

    async def pay(self, request: PayRequest) -> PayResult:
        """Send `/pay`. Raises `UpstreamUnavailable` only if the request provably never left."""
        ...

    async def requery(self, request_id: str) -> PayResult:
        """Ask what happened to `request_id`; `Outcome.NOT_FOUND` if VTPass never saw it."""
        ...


class InsufficientFunds(InvalidInput):
    """The wallet does not hold the purchase's total."""

    code = "insufficient_funds"


class IdempotencyKeyReused(Conflict):
    """The idempotency key was used before for a different purchase."""

    code = "idempotency_key_reused"


class DailyLimitExceeded(InvalidInput):
    """The purchase would take the user past their daily spending limit."""

    code = "daily_limit_exceeded"


@dataclass(frozen=True, slots=True)
class PurchasePolicy:
    """Limits and timings; the defaults follow vtpass.md §8 (30 s doubling to 1 h, ~30 tries)."""

    daily_limit: int = 200_000_00  # kobo per user per Lagos day
    requery_base_s: float = 30.0
    requery_cap_s: float = 3600.0
    review_after_attempts: int = 30
    review_after_s: float = 24 * 3600.0
    # how long a claim keeps other workers off a purchase; the claiming worker's heartbeat
    # (`WorkerConfig.heartbeat_interval_s`) renews it while the purchase is in its hands, so
    # a dead worker's purchases are requeried by another within about this long
    vend_lease_s: float = 30.0
    unsent_grace_s: float = 300.0  # a 015 this soon after /pay may just be VTPass catching up
    pricing_cache_s: float = 60.0
    # a delivered purchase is asked about once more this long after delivery, so a reversal
    # whose webhook never came (or was answered before VTPass showed it) is still refunded
    delivered_recheck_s: float | None = 3600.0
    # a purchase still open this long after submit gets one "still confirming" SMS (the
    # worker's recheck sweep); None: never. `PAYLINK_PENDING_NOTICE_AFTER`
    pending_notice_s: float | None = 600.0


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """What a channel asks to buy. `amount` is the face value of one unit, in kobo."""

    channel: str
    category: str
    service_id: str
    amount: int
    phone: str  # recipient (airtime/data) or the customer's contact number
    customer_ref: str | None = None  # meter, smartcard, profile id
    variation_code: str | None = None
    quantity: int = 1
    product: str | None = None  # label for receipts; defaults to "<service_id> <category>"
    options: Mapping[str, str] = field(default_factory=dict)  # subscription_type, insurance

    def request_hash(self, phone: str) -> str:
        """A digest of what is bought (not how it was asked), for idempotency-key reuse checks."""
        payload = {
            "category": self.category,
            "service_id": self.service_id,
            "amount": self.amount,
            "quantity": self.quantity,
            "phone": phone,
            "customer_ref": self.customer_ref,
            "variation_code": self.variation_code,
            "options": dict(sorted(self.options.items())),
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Submission:
    purchase: PurchaseRecord
    created: bool  # False: an earlier submit with the same idempotency key is returned


@dataclass(frozen=True, slots=True)
class Credit:
    user_id: int
    account_id: int
    balance: int
    created: bool  # False: this reference was credited before; nothing moved now
