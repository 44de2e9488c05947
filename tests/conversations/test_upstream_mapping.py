"""The shell hands the flows their own terms: no VTPass type ever reaches the pure core.

Attack: a VTPass field rename or a new upstream field leaking into menus and saved sessions; the
provider and the verify effect map every answer onto `gateway.flows` values, field for field.
"""

from __future__ import annotations

from gateway.conversations.catalogue_provider import CatalogueProvider
from gateway.conversations.effects import verification_event
from gateway.flows import catalogue as menu
from gateway.flows.model import CustomerInvalid, CustomerVerified
from gateway.money import Kobo
from gateway.vtpass.models import CustomerInfo
from tests.conversations.fakes import FakeCatalogue
from tests.unit.flows import catalogue_data


async def test_the_snapshot_holds_the_flows_model_with_every_field_vtpass_sent():
    provider = CatalogueProvider(FakeCatalogue(), 60)
    snapshot = await provider.snapshot()
    await provider.aclose()
    assert snapshot.categories == catalogue_data.CATEGORIES
    assert all(type(c) is menu.Category for c in snapshot.categories)
    mtn = snapshot.service("mtn")
    assert type(mtn) is menu.Service
    assert mtn == catalogue_data.CATALOG.service("mtn")  # bounds and product type kept
    plans = snapshot.variations("mtn-data")
    assert plans == catalogue_data.CATALOG.variations("mtn-data")
    assert all(type(p) is menu.Variation for p in plans)


def test_a_verify_answer_becomes_the_flows_event():
    good = CustomerInfo(
        valid=True,
        customer_name="TEST METER",
        current_bouquet="DStv Compact",
        current_bouquet_code="dstv79",
        renewal_amount=Kobo(790000),
        raw={"Customer_Name": "TEST METER"},
    )
    assert verification_event(good) == CustomerVerified(
        name="TEST METER",
        current_bouquet="DStv Compact",
        current_bouquet_code="dstv79",
        renewal_amount=790000,
    )
    bad = CustomerInfo(valid=False, error="This meter is not correct")
    assert verification_event(bad) == CustomerInvalid("This meter is not correct")
