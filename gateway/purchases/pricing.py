"""Pure pricing: what one unit of an order costs (the quote on it is `gateway.domain.pricing`).

The unit price comes from the server, never from the request (architecture.md §8): a plan's
catalogue price, the verified renewal amount for a DStv/GOtv renewal, or a customer-chosen
amount only for open-amount products, within the product's bounds. A client's figure that
disagrees is refused (`PriceMismatch`), never charged.

Fee rules live in the `pricing_rules` table (operators edit rows); `DEFAULT_RULES` apply where no
row matches. The most specific rule wins: (category, service) > (category, any) > (any, any).
The rules, the defaults and the fee arithmetic are `gateway.domain.pricing`; import them there.
"""

from __future__ import annotations

from enum import StrEnum

from gateway.domain.pricing import (
    MAX_QUANTITY,
    PricingRefused,
    PricingRule,
    check_bounds,
    money_detail,
)
from gateway.errors import InvalidInput
from gateway.money import format_rich
from gateway.vtpass.models import Service, Variation


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


class QuantityNotAllowed(PricingRefused):
    """More than one unit of a product VTPass sells one at a time."""

    code = "quantity_not_allowed"


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
