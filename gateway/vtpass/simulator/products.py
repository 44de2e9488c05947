"""The simulator's product model: categories, services and their plans (variations).

Plain frozen records; the seeded values live in `catalogue.py` and the per-run, replaceable
plan lists in `plans.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    """How a service is priced, validated and which number picks its sandbox scenario."""

    AIRTIME = "airtime"
    DATA = "data"
    ELECTRICITY = "electricity"
    TV = "tv"  # dstv, gotv: subscription_type change | renew
    STARTIMES = "startimes"  # plan-priced, amount may top up, no subscription_type
    SHOWMAX = "showmax"
    WAEC = "waec"
    WAEC_REGISTRATION = "waec-registration"
    JAMB = "jamb"
    INSURANCE = "insurance"

    @property
    def is_flexible(self) -> bool:
        """VTPass's `product_type`: free amount ("flexible") or plan-priced ("fix")."""
        return self in {Kind.AIRTIME, Kind.ELECTRICITY}


@dataclass(frozen=True, slots=True)
class Category:
    identifier: str
    name: str


@dataclass(frozen=True, slots=True)
class Variation:
    """One plan or bouquet; `amount` is naira."""

    code: str
    name: str
    amount: Decimal
    fixed_price: bool = True


@dataclass(frozen=True, slots=True)
class Limits:
    """Smallest and largest naira amount `/pay` accepts for a service (`013`/`017`)."""

    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True, slots=True)
class Service:
    """A VTPass serviceID as `GET services` describes it.

    `type_name` is the category's display name, echoed as `transactions.type`;
    `disco` is the short distribution-company name used in meter-verify errors.
    """

    service_id: str
    name: str
    category: str
    type_name: str
    kind: Kind
    product_id: int
    limits: Limits
    image: str
    disco: str | None = None
    numeric_variation_amount: bool = False  # Spectranet's page shows numbers, not strings
    numeric_maximum_amount: bool = False  # `maximum_amount` flips between string and number
    commission_as_text: bool = False  # JAMB's documented `/pay` answer has `"commission":"100.00"`

    @property
    def product_type(self) -> str:
        return "flexible" if self.kind.is_flexible else "fix"
