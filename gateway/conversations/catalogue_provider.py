"""The menu snapshot every hop reads: built from the cached VTPass catalogue, rebuilt on a TTL.

The VTPass models are mapped here onto the flows' own catalogue model (`gateway.flows.catalogue`),
so the pure core never sees an upstream type.

Why a snapshot of its own: building one means a call per category and per plan-bearing
service; a hop must never pay that. The snapshot is built once (started at app start-up, and
concurrent callers share that one build), then served as is; once it is older than the TTL the
next hop starts a rebuild in the background and keeps answering from the old one. So a hop
waits on the catalogue at most once, cold, and never again while a snapshot exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from gateway.domain.pricing import PricingRule
from gateway.errors import GatewayError
from gateway.flows import catalogue as menu
from gateway.flows.catalogue import DATA, EDUCATION, TV, CatalogueSnapshot
from gateway.purchases.ordering import CatalogueReader
from gateway.vtpass.models import Category, Service, Variation

logger = logging.getLogger(__name__)

PLAN_CATEGORIES = frozenset({DATA, TV, EDUCATION})  # their services' variations are menus
PARALLEL_FETCHES = 8
RETRY_AFTER_S = 15.0  # a failed background rebuild is not retried on every hop


def menu_category(category: Category) -> menu.Category:
    return menu.Category(category.identifier, category.name)


def menu_service(service: Service) -> menu.Service:
    return menu.Service(
        service_id=service.service_id,
        name=service.name,
        category=service.category,
        product_type=service.product_type,
        min_amount=service.min_amount,
        max_amount=service.max_amount,
    )


def menu_plan(variation: Variation) -> menu.Variation:
    return menu.Variation(variation.code, variation.name, variation.amount, variation.fixed_price)


class CatalogueProvider:
    """`await snapshot()`; `warm()` at start-up; `aclose()` at shutdown."""

    def __init__(
        self,
        catalogue: CatalogueReader,
        ttl_s: float,
        *,
        now: Callable[[], float] = time.monotonic,
        rules: Callable[[], Awaitable[Sequence[PricingRule]]] | None = None,
    ) -> None:
        """`rules`: the purchase service's fee rules, kept in each snapshot so confirm screens
        show the fee a submit charges (None: the default rules only)."""
        self._catalogue = catalogue
        self._rules = rules
        self._ttl_s = ttl_s
        self._now = now
        self._snapshot: CatalogueSnapshot | None = None
        self._fresh_until = 0.0
        self._task: asyncio.Task[CatalogueSnapshot] | None = None
        self._versions = itertools.count(1)  # each snapshot's own: caches key menus by it

    async def snapshot(self) -> CatalogueSnapshot:
        """The current snapshot; only a cold provider makes the caller wait (for one build).

        Raises:
            GatewayError: cold, and the catalogue could not be read.
        """
        if self._snapshot is not None:
            if self._now() >= self._fresh_until:
                self._rebuild()
            return self._snapshot
        # shield: one hop giving up must not cancel the build the others wait for
        return await asyncio.shield(self._rebuild())

    def warm(self) -> None:
        """Start the first build without waiting for it."""
        self._rebuild()

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _rebuild(self) -> asyncio.Task[CatalogueSnapshot]:
        if self._task is None:
            self._task = asyncio.create_task(self._build(), name="ussd-catalogue")
            self._task.add_done_callback(self._done)
        return self._task

    def _done(self, task: asyncio.Task[CatalogueSnapshot]) -> None:
        if self._task is task:
            self._task = None
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._fresh_until = self._now() + RETRY_AFTER_S
            logger.warning("menu catalogue rebuild failed: %s", exc)

    async def _build(self) -> CatalogueSnapshot:
        categories = await self._catalogue.categories()
        limit = asyncio.Semaphore(PARALLEL_FETCHES)
        services = await asyncio.gather(*(self._services(c, limit) for c in categories))
        flat = [s for group in services for s in group]
        plan_bearing = [s for s in flat if s.category in PLAN_CATEGORIES]
        plans = await asyncio.gather(*(self._plans(s, limit) for s in plan_bearing))
        # read after the catalogue, so a snapshot's rules are never older than its prices;
        # a failure fails the build and the previous snapshot stays in use
        rules = await self._rules() if self._rules is not None else ()
        snapshot = CatalogueSnapshot.build(
            map(menu_category, categories),
            map(menu_service, flat),
            {
                s.service_id: tuple(map(menu_plan, p))
                for s, p in zip(plan_bearing, plans, strict=True)
            },
            rules,
            next(self._versions),
        )
        self._snapshot = snapshot
        self._fresh_until = self._now() + self._ttl_s
        return snapshot

    async def _services(self, category: Category, limit: asyncio.Semaphore) -> list[Service]:
        async with limit:
            try:
                return await self._catalogue.services(category.identifier)
            except GatewayError as exc:
                logger.warning("services of %s unavailable for menus: %s", category.identifier, exc)
                return []

    async def _plans(self, service: Service, limit: asyncio.Semaphore) -> Sequence[Variation]:
        async with limit:
            try:
                return await self._catalogue.variations(service.service_id)
            except GatewayError as exc:
                logger.warning("plans of %s unavailable for menus: %s", service.service_id, exc)
                return ()
