"""The catalogue as the API needs it: find a service, and turn a purchase request into an order.

The price comes from the server, never from the client (`gateway.purchases.ordering`): a
request carries a choice, and `amount` only for open-amount products (or, optionally, the
price the client believes, which must then be the server's price or the request is refused
with 422 `price_mismatch`).
"""

from __future__ import annotations

from gateway.api.schemas import OrderIn
from gateway.errors import InvalidInput
from gateway.purchases.models import PurchaseOrder
from gateway.purchases.ordering import CatalogueReader, OrderPricer, OrderRequest, find_service
from gateway.vtpass.models import Service

__all__ = ["find_service", "resolve_order", "service_in"]


async def service_in(catalogue: CatalogueReader, service_id: str, category: str) -> Service:
    """The service if it belongs to `category`.

    Raises:
        InvalidInput: unknown, or in another category.
    """
    service = await find_service(catalogue, service_id)
    if service is None or service.category != category:
        raise InvalidInput(f"{service_id!r} is not a {category} service")
    return service


async def resolve_order(
    pricer: OrderPricer, body: OrderIn, user_id: int, buyer_phone: str
) -> PurchaseOrder:
    """The `PurchaseOrder` for a request, priced by the server.

    Raises:
        InvalidInput: unknown service or plan, a missing reference (`missing_field`), or one
            of the pricing refusals (`price_mismatch`, `verification_required`,
            `amount_out_of_range`, `subscription_type_not_allowed`, `quantity_not_allowed`).
    """
    request = OrderRequest(
        channel="api",
        service_id=body.service_id,
        phone=body.phone or buyer_phone,
        amount=body.amount,
        customer_ref=body.customer_ref,
        variation_code=body.variation_code,
        quantity=body.quantity,
        subscription_type=body.subscription_type,
    )
    return await pricer.price(user_id, request)
