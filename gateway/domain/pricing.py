"""The pricing values the store persists and the flows show, and the pure arithmetic on them.

A fee rule, a quote, the default rules, picking the most specific rule and quoting an amount
under it. Below the store and the flows so that confirm screens quote exactly as a submit
charges without the flows importing the purchase service. Pricing an order (which unit price
a product has) is in `gateway.purchases.pricing`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gateway.errors import InvalidInput
from gateway.money import Kobo, format_gsm, format_rich

ANY = "*"  # a rule's category or service that matches every one
BASIS_POINTS = 10_000  # percentages are integer basis points: 150 = 1.5 %
MAX_QUANTITY = 10  # VTPass refuses more than 10 units in one /pay (vtpass.md, code 032)


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


_N = 100  # kobo per naira, to keep the defaults readable
DEFAULT_RULES: tuple[PricingRule, ...] = (
    PricingRule(),
    PricingRule(category="airtime", min_amount=50 * _N, max_amount=50_000 * _N),
    PricingRule(category="data"),
    PricingRule(
        category="electricity-bill", fee_flat=100 * _N, min_amount=500 * _N, max_amount=500_000 * _N
    ),
    PricingRule(category="tv-subscription", fee_flat=100 * _N),
)


class PricingRefused(InvalidInput):
    """An order the server will not price; `details` say what would be accepted (422)."""

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = dict(details or {})


class AmountOutOfRange(PricingRefused):
    """An open amount below the product's minimum or above its maximum."""

    code = "amount_out_of_range"


def money_detail(amount: int) -> dict[str, Any]:
    """An amount as error details carry it (the API's `Money` shape)."""
    return {"kobo": amount, "formatted": format_rich(amount)}


def check_bounds(amount: int, low: int | None, high: int | None) -> None:
    """Raises `AmountOutOfRange` (naming both bounds) unless `low <= amount <= high`."""
    if (low is None or amount >= low) and (high is None or amount <= high):
        return
    details = {
        "min": None if low is None else money_detail(low),
        "max": None if high is None else money_detail(high),
    }
    if low is not None and amount < low:
        raise AmountOutOfRange(f"the minimum amount is {format_gsm(low)}", details)
    assert high is not None  # noqa: S101 - the only other way out of the range
    raise AmountOutOfRange(f"the maximum amount is {format_gsm(high)}", details)


def select_rule(rules: Iterable[PricingRule], category: str, service_id: str) -> PricingRule:
    """The most specific rule for (category, service_id); `rules` are tried before defaults."""
    candidates = [
        rule
        for rule in (*rules, *DEFAULT_RULES)
        if rule.category in (category, ANY) and rule.service_id in (service_id, ANY)
    ]
    # max() keeps the first of equals, so a database row beats a default of the same specificity
    return max(candidates, key=lambda rule: rule.specificity)


def _percent(amount: int, bp: int, cap: int | None) -> int:
    value = (amount * bp + BASIS_POINTS // 2) // BASIS_POINTS  # round half up, integers only
    return value if cap is None else min(value, cap)


def quote(rule: PricingRule, unit_amount: int, quantity: int = 1) -> Quote:
    """Price `quantity` units of `unit_amount` kobo under `rule`.

    Raises:
        InvalidInput: the amount or quantity is outside what the rule allows.
    """
    if isinstance(unit_amount, bool) or not isinstance(unit_amount, int) or unit_amount <= 0:
        raise InvalidInput("amount must be a positive number of kobo")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be between 1 and {MAX_QUANTITY}")
    check_bounds(unit_amount, rule.min_amount, rule.max_amount)
    face = unit_amount * quantity
    fee = rule.fee_flat + _percent(face, rule.fee_bp, rule.fee_cap)
    # a discount never makes a purchase free: a zero-kobo posting cannot exist in the ledger
    discount = min(_percent(face, rule.discount_bp, rule.discount_cap), face + fee - 1)
    return Quote(
        face=Kobo(face),
        fee=Kobo(fee),
        discount=Kobo(discount),
        total=Kobo(face + fee - discount),
        quantity=quantity,
    )
