"""The one server-side pricing of an order, used by every channel and by "buy again".

A channel sends a choice (service, plan, card, phone, quantity, and an amount only where the
customer picks one); `OrderPricer.price` turns it into a `PurchaseOrder` priced from the
catalogue, the verified renewal amount or the product's bounds (rules in
`gateway.purchases.pricing`). `PurchaseService.submit` re-prices every order through `check`
as well, so a channel that forgets cannot sell at its own figure.

Verified renewal amounts are recorded here too (`remember_verification`), by the REST verify
endpoint and the USSD verify effect, for the renewal that follows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.errors import InvalidInput, UpstreamRejected
from gateway.flows.catalogue import AIRTIME
from gateway.flows.names import airtime_label, product_label
from gateway.purchases import products
from gateway.purchases.models import PurchaseOrder
from gateway.purchases.pricing import (
    METER_CATEGORIES,
    SUBSCRIPTION_SERVICES,
    PriceKind,
    price_kind,
    unit_price,
)
from gateway.store import verifications
from gateway.vtpass.models import Category, CustomerInfo, Service, Variation

METER_TYPES = frozenset({"prepaid", "postpaid"})
VERIFICATION_TTL_S = 1800.0  # a renewal must follow its verify within this long


class CatalogueReader(Protocol):
    """`gateway.vtpass.catalogue.CachedCatalogue` fits."""

    async def categories(self) -> list[Category]: ...
    async def services(self, category: str) -> list[Service]: ...
    async def variations(self, service_id: str) -> list[Variation]: ...


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a channel asks to buy. `amount` is the client's figure per unit: the amount of an
    open-amount product, or (optionally) the price the client believes; never trusted."""

    channel: str
    service_id: str
    phone: str
    amount: int | None = None
    customer_ref: str | None = None
    variation_code: str | None = None
    quantity: int = 1
    subscription_type: str | None = None
    label: str | None = None  # the channel's own receipt label, if it has one
    options: Mapping[str, str] = field(default_factory=dict)  # extras sent with /pay


async def _services_or_none(catalogue: CatalogueReader, category: str) -> list[Service]:
    try:
        return await catalogue.services(category)
    except UpstreamRejected:  # a category with nothing to sell answers with a refusal code
        return []


async def find_service(catalogue: CatalogueReader, service_id: str) -> Service | None:
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


def _variation(variations: list[Variation], code: str) -> Variation:
    for variation in variations:
        if variation.code == code:
            return variation
    raise InvalidInput(f"unknown variation_code {code!r} for this service")


class OrderPricer:
    """Prices orders from the catalogue and verified renewals; records verifications."""

    def __init__(
        self,
        catalogue: CatalogueReader,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        verification_ttl_s: float = VERIFICATION_TTL_S,
    ) -> None:
        self.catalogue = catalogue
        self._db = sessionmaker
        self._clock = clock
        self._ttl = timedelta(seconds=verification_ttl_s)

    async def price(self, user_id: int, request: OrderRequest) -> PurchaseOrder:
        """The order priced by the server.

        Raises:
            InvalidInput (and its subclasses: `MissingField`, `PriceMismatch`,
            `VerificationRequired`, `SubscriptionTypeNotAllowed`, `AmountOutOfRange`,
            `QuantityNotAllowed`).
        """
        service = await find_service(self.catalogue, request.service_id)
        if service is None:
            raise InvalidInput(f"unknown service_id {request.service_id!r}")
        # refused before pricing: a product VTPass cannot deliver without a detail is not sold
        products.check_fields(service.category, service.service_id, request.customer_ref)
        subscription_type = request.subscription_type
        if (
            subscription_type is None
            and request.variation_code is not None
            and service.service_id in SUBSCRIPTION_SERVICES
        ):
            # VTPass needs one for DStv/GOtv; buying a named bouquet is a "change" (vtpass.md §2.5)
            subscription_type = "change"
        kind = price_kind(service, request.variation_code, subscription_type)
        variation: Variation | None = None
        label = product_label(service.service_id, service.name)
        if service.category == AIRTIME:  # named as the phone flows name it
            label = airtime_label(label)
        if service.category in METER_CATEGORIES:
            if request.variation_code not in METER_TYPES:
                raise InvalidInput("variation_code must be the meter type: prepaid or postpaid")
            label = f"{label} {request.variation_code.capitalize()}"
        elif request.variation_code is not None and kind is not PriceKind.RENEWAL:
            variations = await self.catalogue.variations(service.service_id)
            variation = _variation(variations, request.variation_code)
            label = product_label(service.service_id, service.name, variation.name)
        renewal = None
        if kind is PriceKind.RENEWAL:
            label = f"{label} renewal"
            renewal = await self._renewal(user_id, service.service_id, request.customer_ref)
        amount = unit_price(
            kind,
            service,
            variation=variation,
            renewal_amount=renewal,
            amount=request.amount,
            quantity=request.quantity,
        )
        options = dict(request.options)
        options.pop("subscription_type", None)
        if subscription_type is not None:
            options["subscription_type"] = subscription_type
        return PurchaseOrder(
            channel=request.channel,
            category=service.category,
            service_id=service.service_id,
            amount=amount,
            phone=request.phone,
            customer_ref=request.customer_ref,
            variation_code=request.variation_code,
            quantity=request.quantity,
            product=(request.label or label)[:100],
            options=options,
        )

    async def check(self, user_id: int, order: PurchaseOrder) -> PurchaseOrder:
        """`order` re-priced: the same order if its amount is the server's price.

        Raises:
            PriceMismatch: its amount is not the server's price (and the other refusals).
        """
        options = dict(order.options)
        subscription_type = options.pop("subscription_type", None)
        return await self.price(
            user_id,
            OrderRequest(
                channel=order.channel,
                service_id=order.service_id,
                phone=order.phone,
                amount=order.amount,
                customer_ref=order.customer_ref,
                variation_code=order.variation_code,
                quantity=order.quantity,
                subscription_type=subscription_type,
                label=order.product,
                options=options,
            ),
        )

    async def _renewal(self, user_id: int, service_id: str, customer_ref: str | None) -> int | None:
        if not customer_ref:
            return None
        async with self._db() as session:
            found = await verifications.fresh(
                session,
                user_id=user_id,
                service_id=service_id,
                customer_ref=customer_ref,
                now=self._clock.now(),
            )
        return None if found is None else found.renewal_amount

    async def remember_verification(
        self, user_id: int, service_id: str, customer_ref: str, info: CustomerInfo
    ) -> bool:
        """Keep a smartcard verify's renewal amount for this user's renewal; True if kept."""
        amount = info.renewal_amount
        if service_id not in SUBSCRIPTION_SERVICES or not info.valid or not amount or amount <= 0:
            return False
        now = self._clock.now()
        async with self._db.begin() as session:
            await verifications.record(
                session,
                user_id=user_id,
                service_id=service_id,
                customer_ref=customer_ref,
                renewal_amount=amount,
                bouquet_code=info.current_bouquet_code,
                at=now,
                expires_at=now + self._ttl,
            )
        return True
