"""Refreshing the VTPass catalogue (categories, services, variations) in one sweep.

The worker runs it periodically so USSD menus never wait on an expired cache entry, and
`paylink catalogue sync` runs it once and prints what VTPass offers. A service whose variations
cannot be fetched is reported and skipped; the rest of the catalogue still refreshes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from gateway.errors import GatewayError
from gateway.vtpass.catalogue import CachedCatalogue
from gateway.vtpass.models import Category, Service

logger = logging.getLogger(__name__)

_PARALLEL_FETCHES = 8  # polite to VTPass, still quick for ~40 services


@dataclass(slots=True)
class ServiceSummary:
    service: Service
    variations: int | None  # None: could not be fetched


@dataclass(slots=True)
class CatalogueSummary:
    categories: list[Category] = field(default_factory=list)
    services: list[ServiceSummary] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def variation_count(self) -> int:
        return sum(s.variations or 0 for s in self.services)

    def render(self) -> str:
        """A plain-text listing for the CLI: one line per service."""
        lines = [
            f"{len(self.categories)} categories, {len(self.services)} services, "
            f"{self.variation_count} variations"
        ]
        for category in self.categories:
            lines.append(f"{category.identifier} ({category.name})")
            for item in self.services:
                if item.service.category == category.identifier:
                    count = "?" if item.variations is None else str(item.variations)
                    lines.append(f"  {item.service.service_id:<28} {count:>4} variations")
        lines += [f"failed: {failure}" for failure in self.failures]
        return "\n".join(lines)


async def refresh_catalogue(catalogue: CachedCatalogue) -> CatalogueSummary:
    """Drop the cached catalogue and fetch all of it again through the cache.

    Raises:
        GatewayError: the category list itself could not be fetched (nothing to refresh).
    """
    catalogue.invalidate()
    summary = CatalogueSummary(categories=await catalogue.categories())
    limit = asyncio.Semaphore(_PARALLEL_FETCHES)

    async def services_of(category: Category) -> list[Service]:
        async with limit:
            try:
                return await catalogue.services(category.identifier)
            except GatewayError as exc:
                summary.failures.append(f"services of {category.identifier}: {exc}")
                return []

    async def variations_of(service: Service) -> ServiceSummary:
        async with limit:
            try:
                count: int | None = len(await catalogue.variations(service.service_id))
            except GatewayError as exc:
                summary.failures.append(f"variations of {service.service_id}: {exc}")
                count = None
        return ServiceSummary(service, count)

    listed = await asyncio.gather(*(services_of(c) for c in summary.categories))
    services = [service for group in listed for service in group]
    summary.services = list(await asyncio.gather(*(variations_of(s) for s in services)))
    if summary.failures:
        logger.warning("catalogue refresh: %d failures", len(summary.failures))
    return summary
