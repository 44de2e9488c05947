"""Which products PayLink sells, and what each needs besides its price.

Why one table: VTPass refuses a `/pay` that lacks the `billersCode` or details its product
needs (`011`), and by then the wallet has been debited. So every channel asks here before
pricing: a field VTPass needs that we can derive (the recipient's phone for airtime and data)
is derived at vend time; one only the customer knows (a meter, a smartcard, a JAMB profile, a
Smile account) is required up front and refused with 422 `missing_field` naming it; a product
whose details we never collect (insurance) is not sold, and neither the USSD menus nor the REST
catalogue list it. The USSD menu serves exactly `SOLD_CATEGORIES`; the catalogue lists them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from gateway.domain.pricing import PricingRefused

# VTPass category identifiers every channel sells (the USSD menu's five product lines)
SOLD_CATEGORIES: tuple[str, ...] = (
    "airtime",
    "data",
    "electricity-bill",
    "tv-subscription",
    "education",
)
# categories whose billersCode is the recipient's phone unless the service is listed below
PHONE_BILLED_CATEGORIES = frozenset({"airtime", "data"})
# what the customer must give as `customer_ref` (VTPass's billersCode), by category...
_CATEGORY_REFERENCES: Mapping[str, str] = MappingProxyType(
    {"electricity-bill": "meter number", "tv-subscription": "smartcard number"}
)
# ...and by service, overriding the category (None: billed to the recipient's phone)
_SERVICE_REFERENCES: Mapping[str, str | None] = MappingProxyType(
    {
        "showmax": None,  # vtpass.md §2.5: Showmax's billersCode is the phone
        "jamb": "JAMB profile ID",
        "smile-direct": "Smile account ID",
        "spectranet": "Spectranet account number",
    }
)
# vtpass.md §2.5: what VTPass needs for products we do not collect details for
_UNCOLLECTED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "insurance": (
            "Insured_Name",
            "Plate_Number",
            "Chasis_Number",
            "engine_capacity",
            "vehicle_make",
            "vehicle_model",
            "vehicle_color",
            "YearofMake",
            "state",
            "lga",
            "email",
        ),
    }
)


class MissingField(PricingRefused):
    """The order lacks a detail VTPass needs to deliver it; nothing was charged (422)."""

    code = "missing_field"

    @property
    def fields(self) -> Sequence[str]:
        return tuple(self.details.get("fields", ()))


def is_sold(category: str) -> bool:
    """Whether every channel sells this category's products (and so lists them)."""
    return category in SOLD_CATEGORIES


def reference_name(category: str, service_id: str) -> str | None:
    """What the customer must give as `customer_ref`, in words; None if nothing is needed."""
    if service_id in _SERVICE_REFERENCES:
        return _SERVICE_REFERENCES[service_id]
    return _CATEGORY_REFERENCES.get(category)


def check_fields(category: str, service_id: str, customer_ref: str | None) -> None:
    """Refuse an order VTPass could not deliver for lack of a detail, before any money moves.

    Raises:
        MissingField: names the field (`customer_ref`, or VTPass's fields we never collect).
    """
    if not is_sold(category):
        fields = _UNCOLLECTED.get(category, ())
        needs = f": it needs {', '.join(fields)}, which PayLink does not collect" if fields else ""
        raise MissingField(
            f"{service_id} cannot be bought through PayLink{needs}",
            {"service_id": service_id, "fields": list(fields)},
        )
    needed = reference_name(category, service_id)
    if needed is not None and not customer_ref:
        raise MissingField(
            f"customer_ref ({needed}) is required for {service_id}",
            {"service_id": service_id, "fields": ["customer_ref"], "customer_ref": needed},
        )


def billers_code(
    category: str, service_id: str, customer_ref: str | None, phone: str
) -> str | None:
    """VTPass's `billersCode` for a purchase: the customer's reference, or the recipient's
    local phone where the product is billed to a phone (airtime, data, Showmax)."""
    if customer_ref:
        return customer_ref
    if category in PHONE_BILLED_CATEGORIES or (
        service_id in _SERVICE_REFERENCES and _SERVICE_REFERENCES[service_id] is None
    ):
        return phone
    return None
