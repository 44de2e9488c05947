"""The catalogue snapshot, and the network a number's prefix was allocated to."""

from __future__ import annotations

import pytest

from gateway.flows.catalogue import (
    TV,
    CatalogueSnapshot,
    Category,
    Network,
    Service,
    Variation,
    network_for,
    network_of_service,
)
from gateway.money import Kobo
from tests.unit.flows.catalogue_data import CATALOG
from tests.unit.flows.helpers import start, text


@pytest.mark.parametrize(
    ("phone", "network"),
    [
        ("08031234567", Network.MTN),
        ("+2347061234567", Network.MTN),
        ("2349161234567", Network.MTN),
        ("07025123456", Network.MTN),
        ("08051234567", Network.GLO),
        ("09151234567", Network.GLO),
        ("08021234567", Network.AIRTEL),
        ("09121234567", Network.AIRTEL),
        ("08091234567", Network.NINE_MOBILE),
        ("09081234567", Network.NINE_MOBILE),
        ("07020000001", None),
        ("08001234567", None),
        ("1234", None),
        ("", None),
    ],
)
def test_network_for(phone, network):
    assert network_for(phone) == network


@pytest.mark.parametrize(
    ("service_id", "network"),
    [
        ("mtn", Network.MTN),
        ("mtn-data", Network.MTN),
        ("glo-sme-data", Network.GLO),
        ("etisalat-data", Network.NINE_MOBILE),
        ("9mobile-sme-data", Network.NINE_MOBILE),
        ("smile-direct", None),
    ],
)
def test_network_of_service(service_id, network):
    assert network_of_service(service_id) == network


def test_nine_mobile_is_etisalat_at_vtpass():
    assert Network.NINE_MOBILE.value == "etisalat"
    assert Network.NINE_MOBILE.display == "9mobile"


def test_snapshot_lookups():
    assert [s.service_id for s in CATALOG.services("tv-subscription")] == [
        "dstv",
        "gotv",
        "startimes",
        "showmax",
    ]
    assert len(CATALOG.services("electricity-bill")) == 12
    assert len(CATALOG.variations("mtn-data")) >= 30
    assert CATALOG.service("jamb") is not None
    assert CATALOG.service("nope") is None
    assert CATALOG.variation("dstv", "dstv79") is not None
    assert CATALOG.variation("dstv", "nope") is None
    assert CATALOG.services("events") == ()


def test_a_category_missing_from_the_categories_hides_its_services():
    service = Service("mtn", "MTN", "airtime", "flexible")
    snapshot = CatalogueSnapshot.build([Category("data", "Data")], [service], {})
    assert snapshot.services("airtime") == ()
    assert snapshot.service("mtn") == service


def test_snapshot_is_read_only():
    snapshot = CatalogueSnapshot.build([], [], {"x": [Variation("a", "A", Kobo(100), True)]})
    with pytest.raises(TypeError):
        snapshot._variations["y"] = ()  # type: ignore[index]


def test_categories_are_found_by_identifier_from_any_iterable():
    snapshot = CatalogueSnapshot.build(
        (c for c in [Category("data", "Data"), Category("tv", "TV"), Category("data", "Again")]),
        [],
        {},
    )
    assert [c.identifier for c in snapshot.categories] == ["data", "tv", "data"]
    assert snapshot.category("data") == Category("data", "Data")  # the first of a repeat
    assert snapshot.category("tv") == Category("tv", "TV")
    assert snapshot.category("electricity") is None


def test_the_main_menu_follows_each_new_catalogue_snapshot():
    without_tv = CatalogueSnapshot.build(
        [category for category in CATALOG.categories if category.identifier != TV],
        [service for c in CATALOG.categories for service in CATALOG.services(c.identifier)],
        {},
    )

    assert "4 TV" in text(start())
    assert "TV" not in text(start(catalog=without_tv))
    assert "4 TV" in text(start())  # and back
