"""Names a customer reads: no provider said twice, no price inside a plan's name (the catalogue's
price is shown once, after it, and never cut off), brands instead of VTPass's service names."""

from __future__ import annotations

import pytest

from gateway.flows.catalogue import Variation
from gateway.flows.names import plan_name, priced, product_label, service_name
from gateway.flows.screens import USSD, check
from gateway.flows.steps import Ctx, plan_label
from gateway.money import naira_to_kobo
from gateway.vtpass.simulator.catalogue import SEED_VARIATIONS, SERVICES
from tests.unit.flows.catalogue_data import CATALOG


@pytest.mark.parametrize(
    ("name", "provider", "expected"),
    [
        ("DStv Yanga N2,565", "DStv", "Yanga"),
        ("DStv  Compact N7900", "DStv", "Compact"),
        ("Dstv Confam N4,615", "DStv", "Confam"),
        ("GOtv Supa - monthly N5,500", "GOtv", "Supa monthly"),
        ("Nova - 300 Naira - 1 Week", "StarTimes", "Nova 1 Week"),
        ("Showmax Pro - N6,300", "Showmax", "Pro"),
        ("N500 1.5GB - 7 days", "MTN Data", "1.5GB 7 days"),
        ("Glo Data N100 -  105MB - 2 day", "Glo Data", "105MB 2 day"),
        ("Airtel Data Bundle - 1,000 Naira - 1.5GB - 30 Days", "Airtel Data", "1.5GB 30 Days"),
        ("Glo Data (SME) N50 - 200MB - 14 days", "Glo SME Data", "200MB 14 days"),
        ("1.5GB Bigga for 30days - 1550 Naira", "Smile", "1.5GB Bigga for 30days"),
        ("Spectranet N1000 Plan", "Spectranet", "Spectranet Plan"),  # nothing else to say
        ("WASSCE", "WAEC Result Checker", "WASSCE"),
        ("Router/MiFi 30GB Monthly – ₦9,000", "MTN Data", "Router/MiFi 30GB Monthly"),
    ],
)
def test_a_plan_name_loses_the_provider_and_its_price(name, provider, expected):
    assert plan_name(name, provider) == expected


@pytest.mark.parametrize(
    ("service_id", "vtpass", "expected"),
    [
        ("smile-direct", "Smile Payment", "Smile"),
        ("gotv", "Gotv Payment", "GOtv"),
        ("waec", "WAEC Result Checker PIN", "WAEC Result Checker"),
        ("new-tv", "Newco TV Subscription", "Newco TV"),  # one VTPass adds tomorrow
        ("new-power", "Lagos Power Payment - LPDC", "Lagos Power"),
    ],
)
def test_providers_go_by_the_name_customers_know(service_id, vtpass, expected):
    assert service_name(service_id, vtpass) == expected


def test_a_product_label_says_the_provider_once_and_no_price():
    # the REST API's labels, which receipts print: were "DSTV Subscription DStv Yanga N2,565"
    assert product_label("dstv", "DSTV Subscription", "DStv Yanga N2,565") == "DStv Yanga"
    assert product_label("smile-direct", "Smile Payment") == "Smile"
    assert product_label("ikeja-electric", "Ikeja Electric Payment - IKEDC") == "IKEDC"


def test_priced_cuts_the_label_never_the_price():
    assert priced("SmileVoice ONLY 65 for 30days", "N510", 28) == "SmileVoice ONLY 65 fo.. N510"
    assert priced("Yanga", "N2,565", 28) == "Yanga N2,565"


def test_every_simulator_plan_is_listed_with_its_price_within_the_screen_budget():
    # the sandbox's own plan names, as VTPass writes them: each list line ends with the
    # catalogue's price, and fits a USSD line
    ctx = Ctx(CATALOG, USSD)
    services = {s.service_id: s for s in SERVICES}
    for service_id, plans in SEED_VARIATIONS.items():
        provider = service_name(service_id, services[service_id].name)
        for plan in plans:
            variation = Variation(plan.code, plan.name, naira_to_kobo(plan.amount), True)
            label = plan_label(variation, ctx, provider=provider)
            assert label.endswith(" " + ctx.money(variation.amount)), label
            assert len(label) <= 28, label
            assert label.count(ctx.money(variation.amount)) == 1, label
            check(label, USSD)
