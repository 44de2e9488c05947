"""The pricing values the store persists and the flows show: a fee rule and a quote.

The arithmetic on them (rule selection, quoting, unit prices) is in `gateway.purchases.pricing`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.money import Kobo

ANY = "*"  # a rule's category or service that matches every one


@dataclass(frozen=True, slots=True)
class PricingRule:
    """How one category (or one service in it) is priced. Amounts in kobo."""

    category: str = ANY
    service_id: str = ANY
    fee_flat: int = 0
    fee_bp: int = 0  # percent of face, in basis points
    fee_cap: int | None = None
    discount_bp: int = 0
    discount_cap: int | None = None
    min_amount: int | None = None  # per unit
    max_amount: int | None = None  # per unit

    @property
    def specificity(self) -> int:
        return (self.category != ANY) * 2 + (self.service_id != ANY)


@dataclass(frozen=True, slots=True)
class Quote:
    """What the customer pays: `total = face + fee - discount`, all kobo."""

    face: Kobo
    fee: Kobo
    discount: Kobo
    total: Kobo
    quantity: int = 1
