"""The flows' catalogue model: an immutable snapshot of what is sold, and the network prefixes.

Why: menus are built from the catalogue so a disco, network, bouquet or plan VTPass adds shows up
without new code. The flows own these types (they import nothing of `gateway.vtpass`): the shell
(`gateway.conversations.catalogue_provider`) maps the cached VTPass catalogue onto them, builds one
`CatalogueSnapshot` and passes it to every `advance`; flows only read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from gateway.domain.pricing import PricingRule, Quote, quote, select_rule
from gateway.money import Kobo
from gateway.phones import normalize_phone, to_local

# VTPass category identifiers the flows serve (vtpass.md §2.1).
AIRTIME = "airtime"
DATA = "data"
ELECTRICITY = "electricity-bill"
TV = "tv-subscription"
EDUCATION = "education"


@dataclass(frozen=True, slots=True)
class Category:
    """A menu's top-level choice, e.g. `airtime` / "Airtime Recharge"."""

    identifier: str
    name: str


@dataclass(frozen=True, slots=True)
class Service:
    """A product line (a network, a disco, a bouquet family); amounts in kobo."""

    service_id: str
    name: str
    category: str
    product_type: str  # "fix" (plan-priced) or "flexible" (free amount)
    min_amount: Kobo | None = None
    max_amount: Kobo | None = None


@dataclass(frozen=True, slots=True)
class Variation:
    """A plan of a service (a data bundle, a bouquet, an exam PIN)."""

    code: str
    name: str
    amount: Kobo
    fixed_price: bool


class Network(StrEnum):
    """Mobile networks, valued as VTPass's airtime serviceIDs (9mobile is `etisalat`)."""

    MTN = "mtn"
    GLO = "glo"
    AIRTEL = "airtel"
    NINE_MOBILE = "etisalat"

    @property
    def display(self) -> str:
        return _NETWORK_NAMES[self]


_NETWORK_NAMES = {
    Network.MTN: "MTN",
    Network.GLO: "Glo",
    Network.AIRTEL: "Airtel",
    Network.NINE_MOBILE: "9mobile",
}

# Number prefixes as allocated by the NCC (local form). Ported numbers keep their old prefix, so
# flows always let the user change the detected network. Longest prefix wins (07025 before 0702).
_PREFIXES: Mapping[str, Network] = {
    **dict.fromkeys(
        (
            "0703",
            "0704",
            "0706",
            "07025",
            "07026",
            "0803",
            "0806",
            "0810",
            "0813",
            "0814",
            "0816",
            "0903",
            "0906",
            "0913",
            "0916",
        ),
        Network.MTN,
    ),
    **dict.fromkeys(("0705", "0805", "0807", "0811", "0815", "0905", "0915"), Network.GLO),
    **dict.fromkeys(
        ("0701", "0708", "0802", "0808", "0812", "0901", "0902", "0904", "0907", "0911", "0912"),
        Network.AIRTEL,
    ),
    **dict.fromkeys(("0809", "0817", "0818", "0908", "0909"), Network.NINE_MOBILE),
}

# Service ids whose leading word names a network: "mtn-data", "glo-sme-data", "9mobile-sme-data".
_SERVICE_WORDS = {**{n.value: n for n in Network}, "9mobile": Network.NINE_MOBILE}


def network_for(phone: str) -> Network | None:
    """The network a Nigerian mobile number was allocated to, or None if unknown or invalid."""
    try:
        local = to_local(normalize_phone(phone))
    except ValueError:
        return None
    return _PREFIXES.get(local[:5]) or _PREFIXES.get(local[:4])


def network_of_service(service_id: str) -> Network | None:
    """The network behind a data or airtime serviceID, if its name starts with one."""
    return _SERVICE_WORDS.get(service_id.split("-", 1)[0].lower())


@dataclass(frozen=True, slots=True, eq=False)
class CatalogueSnapshot:
    """Categories -> services -> variations, in VTPass's order; read-only."""

    categories: tuple[Category, ...]
    _services: Mapping[str, tuple[Service, ...]]
    _variations: Mapping[str, tuple[Variation, ...]]
    _by_id: Mapping[str, Service]
    _categories: Mapping[str, Category]  # by identifier: menus look them up on every hop
    # the purchase service's fee rules when the snapshot was built (defaults apply besides)
    rules: tuple[PricingRule, ...] = ()
    # tells snapshots apart cheaply: what is derived from one is kept under it (`flows.memo`)
    version: int = 0

    @staticmethod
    def build(
        categories: Iterable[Category],
        services: Iterable[Service],
        variations: Mapping[str, Sequence[Variation]],
        rules: Iterable[PricingRule] = (),
        version: int = 0,
    ) -> CatalogueSnapshot:
        """A snapshot of every service, plans by serviceID, and the fee rules a submit charges
        (`PurchaseService.pricing_rules`). `version`: different for every snapshot one shell
        builds, so a cache keyed by it never serves one snapshot's menus for another."""
        listed = tuple(categories)
        by_category: dict[str, list[Service]] = {}
        by_id: dict[str, Service] = {}
        for service in services:
            by_category.setdefault(service.category, []).append(service)
            by_id.setdefault(service.service_id, service)
        return CatalogueSnapshot(
            categories=listed,
            _services=MappingProxyType({k: tuple(v) for k, v in by_category.items()}),
            _variations=MappingProxyType({k: tuple(v) for k, v in variations.items()}),
            _by_id=MappingProxyType(by_id),
            _categories=MappingProxyType(
                {c.identifier: c for c in reversed(listed)}  # the first one wins
            ),
            rules=tuple(rules),
            version=version,
        )

    def category(self, identifier: str) -> Category | None:
        return self._categories.get(identifier)

    def services(self, category: str) -> tuple[Service, ...]:
        """Services of a category, or () if the category is absent from the catalogue."""
        if self.category(category) is None:
            return ()
        return self._services.get(category, ())

    def service(self, service_id: str) -> Service | None:
        return self._by_id.get(service_id)

    def variations(self, service_id: str) -> tuple[Variation, ...]:
        return self._variations.get(service_id, ())

    def variation(self, service_id: str, code: str) -> Variation | None:
        return next((v for v in self.variations(service_id) if v.code == code), None)

    def quote(self, category: str, service_id: str, amount: int, quantity: int = 1) -> Quote:
        """Fee, discount and total for `quantity` units of `amount` kobo, as a submit prices
        them (`gateway.domain.pricing.quote` under the same rules).

        Raises:
            InvalidInput: the amount or quantity is outside the rule's bounds.
        """
        return quote(select_rule(self.rules, category, service_id), amount, quantity)
