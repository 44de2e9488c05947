"""What can be bought: categories, their services, and a service's plans (cached upstream)."""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps
from gateway.api.openapi import Operations
from gateway.api.products import find_service
from gateway.api.schemas import (
    CategoryList,
    CategoryOut,
    CategoryPath,
    Money,
    ServiceList,
    ServiceOut,
    ServicePath,
    VariationList,
    VariationOut,
    money,
)
from gateway.errors import NotFound

ops = Operations(
    "catalogue",
    "Products from the provider's catalogue, cached for an hour; no login needed.",
)
_UPSTREAM = (502, 503)


@ops.route(
    "GET",
    "/api/v1/catalogue/categories",
    summary="Product categories",
    responses={200: CategoryList},
    errors=_UPSTREAM,
)
async def list_categories(request: web.Request) -> CategoryList:
    categories = await deps.vtpass(request).catalogue.categories()
    return CategoryList(
        items=[CategoryOut(identifier=c.identifier, name=c.name) for c in categories]
    )


@ops.route(
    "GET",
    "/api/v1/catalogue/categories/{category}/services",
    summary="The services of a category",
    responses={200: ServiceList},
    errors=_UPSTREAM,
)
async def list_services(request: web.Request, path: CategoryPath) -> ServiceList:
    catalogue = deps.vtpass(request).catalogue
    # only known categories reach the provider (and the cache): no cache entry per random path
    if path.category not in {c.identifier for c in await catalogue.categories()}:
        raise NotFound(f"no category {path.category!r}")
    services = await catalogue.services(path.category)
    return ServiceList(
        items=[
            ServiceOut(
                service_id=s.service_id,
                name=s.name,
                category=s.category,
                product_type=s.product_type,
                min_amount=money(s.min_amount),
                max_amount=money(s.max_amount),
                convenience_fee=s.convenience_fee,
                image=s.image,
            )
            for s in services
        ]
    )


@ops.route(
    "GET",
    "/api/v1/catalogue/services/{service_id}/variations",
    summary="The plans (variations) of a service",
    responses={200: VariationList},
    errors=_UPSTREAM,
)
async def list_variations(request: web.Request, path: ServicePath) -> VariationList:
    """Empty for open-amount services such as airtime."""
    catalogue = deps.vtpass(request).catalogue
    service = await find_service(catalogue, path.service_id)
    if service is None:
        raise NotFound(f"no service {path.service_id!r}")
    variations = await catalogue.variations(service.service_id)
    return VariationList(
        items=[
            VariationOut(
                code=v.code, name=v.name, amount=Money.of(v.amount), fixed_price=v.fixed_price
            )
            for v in variations
        ]
    )
