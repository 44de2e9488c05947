"""Pure pricing: what one unit of an order costs, and the quote (fee, discount, total) on it.

The unit price comes from the server, never from the request (architecture.md §8): a plan's
catalogue price, the verified renewal amount for a DStv/GOtv renewal, or a customer-chosen
amount only for open-amount products, within the product's bounds. A client's figure that
disagrees is refused (`PriceMismatch`), never charged.

Fee rules live in the `pricing_rules` table (operators edit rows); these defaults apply where no
row matches. The most specific rule wins: (category, service) > (category, any) > (any, any).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

# the values moved below the store (issue 14); importers may keep using this path
from gateway.domain.pricing import ANY as ANY
from gateway.domain.pricing import PricingRule as PricingRule
from gateway.domain.pricing import Quote as Quote
from gateway.errors import InvalidInput
from gateway.money import Kobo, format_gsm, format_rich
from gateway.vtpass.models import Service, Variation

BASIS_POINTS = 10_000  # percentages are integer basis points: 150 = 1.5 %
MAX_QUANTITY = 10  # VTPass refuses more than 10 units in one /pay (vtpass.md, code 032)


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


def describe_fee(rule: PricingRule) -> str:
    """The rule's fee in words for catalogues: `₦100.00`, `1.5 %`, `₦50.00 + 1 % (max ₦500.00)`,
    or `none`."""
    parts = []
    if rule.fee_flat:
        parts.append(format_rich(rule.fee_flat))
    if rule.fee_bp:
        percent = f"{rule.fee_bp / 100:.2f}".rstrip("0").rstrip(".")
        parts.append(f"{percent} %")
        if rule.fee_cap is not None:
            parts[-1] += f" (max {format_rich(rule.fee_cap)})"
    return " + ".join(parts) or "none"


# -- the unit price of an order --------------------------------------------------------------

# vtpass.md §2.5: `subscription_type` exists for DStv and GOtv only (Startimes, Showmax: none).
SUBSCRIPTION_SERVICES = frozenset({"dstv", "gotv"})
SUBSCRIPTION_TYPES = ("renew", "change")
# vtpass.md §2.5: `quantity` is a PIN count for these; elsewhere VTPass sells one unit per /pay.
QUANTITY_SERVICES = frozenset({"waec", "waec-registration"})
# categories whose `variation_code` names a meter type, not a priced plan
METER_CATEGORIES = frozenset({"electricity-bill"})


class PriceKind(StrEnum):
    FIXED = "fixed"  # the catalogue's variation price
    RENEWAL = "renewal"  # the renewal amount VTPass's verify returned
    OPEN = "open"  # the customer's amount, within the product's bounds


class PricingRefused(InvalidInput):
    """An order the server will not price; `details` say what would be accepted (422)."""

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = dict(details or {})


class PriceMismatch(PricingRefused):
    """The request's amount is not the server's price; nothing is charged."""

    code = "price_mismatch"

    @property
    def price(self) -> int:
        """The server's price of one unit, in kobo."""
        return int(self.details["price"]["kobo"])


class VerificationRequired(PricingRefused):
    """A renewal with no fresh verification on record: verify the card first."""

    code = "verification_required"


class SubscriptionTypeNotAllowed(PricingRefused):
    """`subscription_type` sent for a service VTPass defines none for."""

    code = "subscription_type_not_allowed"


class AmountOutOfRange(PricingRefused):
    """An open amount below the product's minimum or above its maximum."""

    code = "amount_out_of_range"


class QuantityNotAllowed(PricingRefused):
    """More than one unit of a product VTPass sells one at a time."""

    code = "quantity_not_allowed"


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


def price_kind(
    service: Service, variation_code: str | None, subscription_type: str | None
) -> PriceKind:
    """How an order for `service` is priced, from what the customer chose.

    Raises:
        SubscriptionTypeNotAllowed: `subscription_type` for a service without one.
        InvalidInput: a bouquet change or plan-sold service without a `variation_code`.
    """
    if subscription_type is not None:
        if service.service_id not in SUBSCRIPTION_SERVICES:
            raise SubscriptionTypeNotAllowed(
                f"subscription_type is not accepted for {service.service_id}",
                {"service_id": service.service_id, "services": sorted(SUBSCRIPTION_SERVICES)},
            )
        if subscription_type not in SUBSCRIPTION_TYPES:
            raise InvalidInput("subscription_type must be renew or change")
        if subscription_type == "renew":
            return PriceKind.RENEWAL
        if variation_code is None:
            raise InvalidInput("a bouquet change needs the new bouquet's variation_code")
        return PriceKind.FIXED
    if service.category in METER_CATEGORIES:
        return PriceKind.OPEN
    if variation_code is not None:
        return PriceKind.FIXED
    if service.product_type != "flexible":
        raise InvalidInput("this service is sold by plan: give a variation_code")
    return PriceKind.OPEN


def max_quantity(service_id: str) -> int:
    return MAX_QUANTITY if service_id in QUANTITY_SERVICES else 1


def unit_price(
    kind: PriceKind,
    service: Service,
    *,
    variation: Variation | None,
    renewal_amount: int | None,
    amount: int | None,
    quantity: int,
) -> int:
    """The server's price of one unit, in kobo; `amount` is the client's figure per unit.

    A FIXED `variation` must be given; a RENEWAL needs `renewal_amount` (None: no fresh
    verification). A non-fixed variation of a free-amount service is priced as OPEN.

    Raises:
        PriceMismatch, VerificationRequired, AmountOutOfRange, QuantityNotAllowed, InvalidInput.
    """
    if isinstance(quantity, bool) or not 1 <= quantity <= max_quantity(service.service_id):
        allowed = max_quantity(service.service_id)
        raise QuantityNotAllowed(
            f"quantity must be between 1 and {allowed} for {service.service_id}",
            {"max_quantity": allowed},
        )
    if kind is PriceKind.FIXED and variation is not None and not variation.fixed_price:
        kind = PriceKind.OPEN if service.product_type == "flexible" else kind
    if kind is PriceKind.OPEN:
        if amount is None:
            raise InvalidInput("amount is required for this service")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidInput("amount must be a positive number of kobo")
        check_bounds(amount, _positive(service.min_amount), _positive(service.max_amount))
        return amount
    if kind is PriceKind.RENEWAL:
        if renewal_amount is None:
            raise VerificationRequired(
                "verify the smartcard first: a renewal is charged the amount the verify returned",
                {"service_id": service.service_id},
            )
        price = renewal_amount
    else:
        if variation is None:
            raise InvalidInput("unknown variation_code for this service")
        price = variation.amount
    if amount is not None and amount != price:
        raise PriceMismatch(
            f"this costs {format_rich(price)}"
            + (f" each ({format_rich(price * quantity)} for {quantity})" if quantity > 1 else "")
            + "; send that amount or leave amount out",
            {
                "price": money_detail(price),
                "quantity": quantity,
                "total": money_detail(price * quantity),
                "sent": money_detail(amount) if isinstance(amount, int) else None,
            },
        )
    return price


def _positive(value: int | None) -> int | None:
    return value if value is not None and value > 0 else None
