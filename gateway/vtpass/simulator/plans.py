"""Per-run service and plan lookups; plan lists can be replaced (`/__sim/variations-update`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gateway.vtpass.simulator.catalogue import SEED_VARIATIONS, SERVICES
from gateway.vtpass.simulator.products import Service, Variation


@dataclass(frozen=True, slots=True)
class PlanChange:
    """What a plan-list replacement did, in variation codes (the webhook's `actionRequired`)."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]


class PlanBook:
    """Services by id and their current plans, with O(1) plan lookup by code."""

    def __init__(
        self,
        services: Sequence[Service] = SERVICES,
        seed: Mapping[str, tuple[Variation, ...]] = SEED_VARIATIONS,
    ) -> None:
        self._services = {s.service_id: s for s in services}
        self._seed = seed
        self._plans: dict[str, dict[str, Variation]] = {}
        self.reset()

    def reset(self) -> None:
        self._plans = {sid: {v.code: v for v in self._seed.get(sid, ())} for sid in self._services}

    def service(self, service_id: str) -> Service | None:
        return self._services.get(service_id)

    def services_in(self, category: str) -> list[Service]:
        return [s for s in self._services.values() if s.category == category]

    def variations(self, service_id: str) -> list[Variation]:
        return list(self._plans.get(service_id, {}).values())

    def find(self, service_id: str, code: str) -> Variation | None:
        return self._plans.get(service_id, {}).get(code)

    def replace(self, service_id: str, new: Sequence[Variation]) -> PlanChange:
        """Swap a service's plan list; unknown service ids raise `KeyError`."""
        if service_id not in self._services:
            raise KeyError(service_id)
        old = self._plans[service_id]
        fresh = {v.code: v for v in new}
        self._plans[service_id] = fresh
        return PlanChange(
            added=tuple(c for c in fresh if c not in old),
            updated=tuple(c for c, v in fresh.items() if c in old and old[c] != v),
            removed=tuple(c for c in old if c not in fresh),
        )
