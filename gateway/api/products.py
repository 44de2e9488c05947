"""The catalogue as the API needs it: find a service, and turn a purchase request into an order.

The category and the price come from the catalogue, never from the client: pricing rules
(fees) are per category, and a price-listed plan must be debited at its listed price, since
that is what VTPass will take from our float whatever amount we send.
"""

from __future__ import annotations

import asyncio

from gateway.api.schemas import PurchaseIn
from gateway.errors import InvalidInput, UpstreamRejected
from gateway.purchases.models import PurchaseOrder
from gateway.vtpass.catalogue import CachedCatalogue
from gateway.vtpass.models import Service, Variation

# Products whose purchase names a meter, smartcard or profile (VTPass's billersCode).
NEEDS_CUSTOMER_REF = frozenset({"electricity-bill", "tv-subscription"})
METER_TYPES = frozenset({"prepaid", "postpaid"})


async def _services_or_none(catalogue: CachedCatalogue, category: str) -> list[Service]:
    try:
        return await catalogue.services(category)
    except UpstreamRejected:  # a category with nothing to sell answers with a refusal code
        return []


async def find_service(catalogue: CachedCatalogue, service_id: str) -> Service | None:
    """The service with this id in any category (all lookups are cached)."""
    categories = await catalogue.categories()
    listings = await asyncio.gather(
        *(_services_or_none(catalogue, category.identifier) for category in categories)
    )
    for services in listings:
        for service in services:
            if service.service_id == service_id:
                return service
    return None


async def service_in(catalogue: CachedCatalogue, service_id: str, category: str) -> Service:
    """The service if it belongs to `category`.

    Raises:
        InvalidInput: unknown, or in another category.
    """
    service = await find_service(catalogue, service_id)
    if service is None or service.category != category:
        raise InvalidInput(f"{service_id!r} is not a {category} service")
    return service


def _variation(variations: list[Variation], code: str) -> Variation:
    for variation in variations:
        if variation.code == code:
            return variation
    raise InvalidInput(f"unknown variation_code {code!r} for this service")


async def resolve_order(
    catalogue: CachedCatalogue, body: PurchaseIn, buyer_phone: str
) -> PurchaseOrder:
    """The `PurchaseOrder` for a request, priced from the catalogue.

    Raises:
        InvalidInput: unknown service or plan, or a missing/contradicting amount or reference.
    """
    service = await find_service(catalogue, body.service_id)
    if service is None:
        raise InvalidInput(f"unknown service_id {body.service_id!r}")
    amount = body.amount
    label = service.name
    variation_code = body.variation_code
    if service.category == "electricity-bill":
        if variation_code not in METER_TYPES:
            raise InvalidInput("variation_code must be the meter type: prepaid or postpaid")
        label = f"{service.name} {variation_code}"
    elif variation_code is not None:
        variation = _variation(await catalogue.variations(service.service_id), variation_code)
        label = f"{service.name} {variation.name}"
        # a renewal pays what the decoder's renewal costs (from verify), not the list price
        if variation.fixed_price and body.subscription_type != "renew":
            if amount is not None and amount != variation.amount:
                raise InvalidInput(
                    f"this plan costs {variation.amount} kobo; leave amount out or send that"
                )
            amount = variation.amount
    elif service.product_type == "fix":
        raise InvalidInput("this service is sold by plan: give a variation_code")
    if amount is None:
        raise InvalidInput("amount is required for this service")
    if service.category in NEEDS_CUSTOMER_REF and body.customer_ref is None:
        raise InvalidInput("customer_ref (meter or smartcard number) is required")
    options = {"subscription_type": body.subscription_type} if body.subscription_type else {}
    return PurchaseOrder(
        channel="api",
        category=service.category,
        service_id=service.service_id,
        amount=amount,
        phone=body.phone or buyer_phone,
        customer_ref=body.customer_ref,
        variation_code=variation_code,
        quantity=body.quantity,
        product=label[:100],
        options=options,
    )
