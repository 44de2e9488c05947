"""What can be bought: categories, their services, and a service's plans (cached upstream)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from gateway.api import deps
from gateway.api.openapi import Operations
from gateway.api.products import find_service
from gateway.api.schemas import (
    CategoryList,
    CategoryOut,
    CategoryPath,
    FeeOut,
    Money,
    ServiceList,
    ServiceOut,
    ServicePath,
    VariationList,
    VariationOut,
    money,
)
from gateway.domain.pricing import PricingRule, select_rule
from gateway.errors import NotFound, UpstreamRejected
from gateway.purchases import products
from gateway.purchases.ordering import CatalogueReader
from gateway.purchases.pricing import describe_fee
from gateway.vtpass.models import Service

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
    """The categories PayLink sells, the same as the USSD menu's; one with nothing to sell now
    (or whose products need details PayLink does not collect, such as insurance) is left out."""
    catalogue = deps.vtpass(request).catalogue
    categories = [c for c in await catalogue.categories() if products.is_sold(c.identifier)]
    listings = await asyncio.gather(*(_services(catalogue, c.identifier) for c in categories))
    return CategoryList(
        items=[
            CategoryOut(identifier=c.identifier, name=c.name)
            for c, services in zip(categories, listings, strict=True)
            if services
        ]
    )


async def _services(catalogue: CatalogueReader, category: str) -> list[Service]:
    try:
        return await catalogue.services(category)
    except UpstreamRejected:  # VTPass answers a category with nothing in it with a refusal
        return []


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
    known = {c.identifier for c in await catalogue.categories()}
    if path.category not in known or not products.is_sold(path.category):
        raise NotFound(f"no category {path.category!r}")
    services = await _services(catalogue, path.category)
    rules = await deps.purchases(request).pricing_rules()
    return ServiceList(
        items=[_service_out(s, select_rule(rules, s.category, s.service_id)) for s in services]
    )


def _service_out(service: Service, rule: PricingRule) -> ServiceOut:
    # the fee is ours (the one a quote and a purchase charge), not VTPass's advertised field
    return ServiceOut(
        service_id=service.service_id,
        name=service.name,
        category=service.category,
        product_type=service.product_type,
        min_amount=money(service.min_amount),
        max_amount=money(service.max_amount),
        convenience_fee=describe_fee(rule),
        fee=FeeOut(
            flat=Money.of(rule.fee_flat),
            percent_bp=rule.fee_bp,
            percent_cap=money(rule.fee_cap),
        ),
        image=service.image,
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
    if service is None or not products.is_sold(service.category):
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
