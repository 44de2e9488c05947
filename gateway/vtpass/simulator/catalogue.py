"""The seeded sandbox catalogue: categories, services, plans, default limits and rates.

Codes and prices follow vtpass.md §7.2 (doc snapshots) and are padded with plausible plans so
menus page; names keep VTPass's spelling (e.g. `waec-registraion`). Prices change upstream, so
nothing in the gateway may hard-code them: it must read them from the catalogue endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from gateway.vtpass.simulator.products import Category, Kind, Limits, Service, Variation

_IMAGE = "https://sandbox.vtpass.com/resources/products/200X200/{}.jpg"

CATEGORIES: tuple[Category, ...] = (
    Category("airtime", "Airtime Recharge"),
    Category("data", "Data Services"),
    Category("tv-subscription", "TV Subscription"),
    Category("electricity-bill", "Electricity Bill"),
    Category("education", "Education"),
    Category("funds", "Funds"),
    Category("events", "Events"),
    Category("other-services", "Other Merchants/Services"),
    Category("insurance", "Insurance"),
)
_CATEGORY_NAMES = {c.identifier: c.name for c in CATEGORIES}


def _limits(minimum: str, maximum: str) -> Limits:
    return Limits(Decimal(minimum), Decimal(maximum))


# vtpass.md §7.3 [GUESS]: airtime 50-50,000 and electricity 500-500,000; data per §2.2.
AIRTIME_LIMITS = _limits("50", "50000")
ELECTRICITY_LIMITS = _limits("500", "500000")
_TV_LIMITS = _limits("1", "1000000")
_EDUCATION_LIMITS = _limits("1", "1000000")


def _service(
    service_id: str,
    name: str,
    category: str,
    kind: Kind,
    product_id: int,
    limits: Limits,
    image: str,
    *,
    disco: str | None = None,
    numeric_variation_amount: bool = False,
    numeric_maximum_amount: bool = False,
    commission_as_text: bool = False,
) -> Service:
    return Service(
        service_id=service_id,
        name=name,
        category=category,
        type_name=_CATEGORY_NAMES[category],
        kind=kind,
        product_id=product_id,
        limits=limits,
        image=_IMAGE.format(image),
        disco=disco,
        numeric_variation_amount=numeric_variation_amount,
        numeric_maximum_amount=numeric_maximum_amount,
        commission_as_text=commission_as_text,
    )


def _disco(service_id: str, name: str, short: str, product_id: int, image: str) -> Service:
    return _service(
        service_id,
        name,
        "electricity-bill",
        Kind.ELECTRICITY,
        product_id,
        ELECTRICITY_LIMITS,
        image,
        disco=short,
    )


SERVICES: tuple[Service, ...] = (
    # airtime
    _service("mtn", "MTN Airtime VTU", "airtime", Kind.AIRTIME, 1, AIRTIME_LIMITS,
             "MTN-Airtime", numeric_maximum_amount=True),
    _service("glo", "GLO Airtime VTU", "airtime", Kind.AIRTIME, 2, AIRTIME_LIMITS,
             "GLO-Airtime", numeric_maximum_amount=True),
    _service("airtel", "Airtel Airtime VTU", "airtime", Kind.AIRTIME, 3, AIRTIME_LIMITS,
             "Airtel-Airtime", numeric_maximum_amount=True),
    _service("etisalat", "9mobile Airtime VTU", "airtime", Kind.AIRTIME, 4, AIRTIME_LIMITS,
             "9mobile-Airtime", numeric_maximum_amount=True),
    # data (vtpass.md §2.2 limits)
    _service("mtn-data", "MTN Data", "data", Kind.DATA, 5, _limits("1", "1000000"), "MTN-Data"),
    _service("glo-data", "GLO Data", "data", Kind.DATA, 6, _limits("1", "200000"), "GLO-Data"),
    _service("airtel-data", "Airtel Data", "data", Kind.DATA, 7, _limits("1", "1000000"),
             "Airtel-Data"),
    _service("etisalat-data", "9mobile Data", "data", Kind.DATA, 8, _limits("1", "1000000"),
             "9mobile-Data"),
    _service("glo-sme-data", "GLO Data (SME)", "data", Kind.DATA, 9, _limits("1", "1000000"),
             "GLO-Data-SME"),
    _service("smile-direct", "Smile Payment", "data", Kind.DATA, 10, _limits("100", "150000"),
             "Smile-Payment"),
    _service("spectranet", "Spectranet Internet Data", "data", Kind.DATA, 11,
             _limits("1", "100000"), "Spectranet", numeric_variation_amount=True),
    # tv
    _service("dstv", "DSTV Subscription", "tv-subscription", Kind.TV, 12, _TV_LIMITS,
             "Pay-DSTV-Subscription", numeric_maximum_amount=True),
    _service("gotv", "Gotv Payment", "tv-subscription", Kind.TV, 13, _TV_LIMITS,
             "Gotv-Payment", numeric_maximum_amount=True),
    _service("startimes", "Startimes Subscription", "tv-subscription", Kind.STARTIMES, 14,
             _TV_LIMITS, "Startimes-Subscription"),
    _service("showmax", "ShowMax", "tv-subscription", Kind.SHOWMAX, 15, _TV_LIMITS, "ShowMax"),
    # electricity (vtpass.md §7.1: the 12 discos)
    _disco("ikeja-electric", "Ikeja Electric Payment - IKEDC", "Ikeja Electric", 16,
           "Ikeja-Electric-Payment-PHCN"),
    _disco("eko-electric", "Eko Electric Payment - EKEDC", "Eko Electric", 17,
           "Eko-Electric-Payment-PHCN"),
    _disco("kano-electric", "KEDCO - Kano Electric", "Kano Electric", 18, "Kano-Electric"),
    _disco("portharcourt-electric", "PHED - Port Harcourt Electric", "Port Harcourt Electric",
           19, "Port-Harcourt-Electric"),
    _disco("jos-electric", "Jos Electric - JED", "Jos Electric", 20, "Jos-Electric-JED"),
    _disco("ibadan-electric", "IBEDC - Ibadan Electricity Distribution Company",
           "Ibadan Electric", 21, "IBEDC-Ibadan-Electricity-Distribution-Company"),
    _disco("kaduna-electric", "Kaduna Electric - KAEDCO", "Kaduna Electric", 22,
           "Kaduna-Electric-KAEDCO"),
    _disco("abuja-electric", "AEDC - Abuja Electric", "Abuja Electric", 23,
           "Abuja-Electric"),
    _disco("enugu-electric", "Enugu Electric - EEDC", "Enugu Electric", 24,
           "Enugu-Electric-EEDC"),
    _disco("benin-electric", "BEDC - Benin Electric", "Benin Electric", 25,
           "Benin-Electricity-BEDC"),
    _disco("aba-electric", "ABA Electric Payment - ABEDC", "Aba Electric", 26,
           "Aba-Electric-Payment-ABEDC"),
    _disco("yola-electric", "YEDC - Yola Electric", "Yola Electric", 27,
           "Yola-Electric-Payment-IKEDC"),
    # education
    _service("waec", "WAEC Result Checker PIN", "education", Kind.WAEC, 28, _EDUCATION_LIMITS,
             "WAEC-Result-Checker-PIN"),
    _service("waec-registration", "WAEC Registration PIN", "education",
             Kind.WAEC_REGISTRATION, 29, _EDUCATION_LIMITS, "WAEC-Registration-PIN"),
    _service("jamb", "JAMB PIN VENDING (UTME & Direct Entry)", "education", Kind.JAMB, 30,
             _EDUCATION_LIMITS, "JAMB-PIN-VENDING-UTME-Direct-Entry", commission_as_text=True),
    # insurance
    _service("ui-insure", "Third Party Motor Insurance - Universal Insurance", "insurance",
             Kind.INSURANCE, 31, _limits("1", "1000000"), "Third-Party-Motor-Insurance"),
)  # fmt: skip


def _plans(*rows: tuple[str, str, str]) -> tuple[Variation, ...]:
    return tuple(Variation(code, name, Decimal(amount)) for code, name, amount in rows)


SEED_VARIATIONS: Mapping[str, tuple[Variation, ...]] = MappingProxyType({
    "mtn-data": _plans(
        ("mtn-10mb-100", "N100 100MB - 24 hrs", "100.00"),
        ("mtn-50mb-200", "N200 200MB - 2 days", "200.00"),
        ("mtn-xtratalk-300", "MTN Xtratalk Weekly Bundle - N300", "300.00"),
        ("mtn-1gb-350", "N350 1GB - 1 day (plus 1.5 mins)", "350.00"),
        ("mtn-xtradata-500", "MTN Xtradata Weekly Bundle - N500", "500.00"),
        ("mtn-1-5gb-500", "N500 1.5GB - 7 days", "500.00"),
        ("mtn-2-5gb-600", "N600 2.5GB - 2 days", "600.00"),
        ("mtn-2gb-750", "N750 2GB - 2 days (plus 2 mins)", "750.00"),
        ("mtn-3-2gb-1000", "N1000 3.2GB - 2 days", "1000.00"),
        ("mtn-100mb-1000", "N1000 1.5GB - 30 days", "1000.00"),
        ("mtn-xtratalk-1000", "MTN Xtratalk Monthly Bundle - N1000", "1000.00"),
        ("mtn-xtradata-1000", "MTN Xtradata Monthly Bundle - N1000", "1000.00"),
        ("mtn-3gb-1500", "N1500 3GB - 30 days", "1500.00"),
        ("mtn-6gb-1500", "N1500 6GB - 7 days", "1500.00"),
        ("mtn-500mb-2000", "N2000 4.5GB - 30 days", "2000.00"),
        ("mtn-2-7gb-2000", "N2000 2.7GB - 30 days (plus 2 mins)", "2000.00"),
        ("mtn-6-75gb-3000", "N3000 6.75GB - 30 days", "3000.00"),
        ("mtn-11gb-3500", "N3500 11GB - 7 days", "3500.00"),
        ("mtn-10gb-4500", "N4500 10GB - 30 days (plus 10 mins)", "4500.00"),
        ("mtn-14-5gb-5000", "N5000 14.5GB - 30 days", "5000.00"),
        ("mtn-20gb-5500", "N5500 20GB - 30 days", "5500.00"),
        ("mtn-25gb-6500", "N6500 25GB - 30 days", "6500.00"),
        ("mtn-40gb-10000", "N10000 40GB - 30 days", "10000.00"),
        ("mtn-75gb-15000", "N15000 75GB - 30 days", "15000.00"),
        ("mtn-110gb-20000", "N20000 110GB - 30 days", "20000.00"),
        ("mtn-120gb-22000", "N22000 120GB - 60 days", "22000.00"),
        ("mtn-200gb-30000", "N30000 200GB - 60 days", "30000.00"),
        ("mtn-450gb-75000", "N75000 450GB - 90 days", "75000.00"),
        ("mtn-800gb-124900", "N124900 800GB - 365 days", "124900.00"),
        ("mtn-1tb-150000", "N150000 1TB - 365 days", "150000.00"),
    ),
    "glo-data": _plans(
        ("glo100", "Glo Data N100 -  105MB - 2 day", "100.00"),
        ("glo200", "Glo Data N200 -  350MB - 4 days", "200.00"),
        ("glo500", "Glo Data N500 -  1.05GB - 14 days", "500.00"),
        ("glo1000", "Glo Data N1000 -  2.5GB - 30 days", "1000.00"),
        ("glo2000", "Glo Data N2000 -  5.8GB - 30 days", "2000.00"),
        ("glo2500", "Glo Data N2500 -  7.7GB - 30 days", "2500.00"),
        ("glo3000", "Glo Data N3000 -  10GB - 30 days", "3000.00"),
        ("glo4000", "Glo Data N4000 -  13.25GB - 30 days", "4000.00"),
        ("glo5000", "Glo Data N5000 -  18.25GB - 30 days", "5000.00"),
        ("glo8000", "Glo Data N8000 -  29.5GB - 30 days", "8000.00"),
        ("glo10000", "Glo Data N10000 -  50GB - 30 days", "10000.00"),
        ("glo15000", "Glo Data N15000 -  93GB - 30 days", "15000.00"),
        ("glo18000", "Glo Data N18000 -  119GB - 30 days", "18000.00"),
    ),
    "airtel-data": _plans(
        ("airt-100", "Airtel Data Bundle - 100 Naira - 100MB  - 1Day", "99.00"),
        ("airt-200", "Airtel Data Bundle - 200 Naira - 200MB - 3Days", "199.03"),
        ("airt-300", "Airtel Data Bundle - 300 Naira - 350MB - 7 Days", "299.02"),
        ("airt-500", "Airtel Data Bundle - 500 Naira - 750MB - 14 Days", "499.00"),
        ("airt-1000", "Airtel Data Bundle - 1,000 Naira - 1.5GB - 30 Days", "999.00"),
        ("airt-1500", "Airtel Data Bundle - 1,500 Naira - 3GB - 30 Days", "1499.01"),
        ("airt-2000", "Airtel Data Bundle - 2,000 Naira - 4.5GB - 30 Days", "1999.00"),
        ("airt-3000", "Airtel Data Bundle - 3,000 Naira - 8GB - 30 Days", "2999.02"),
        ("airt-5000", "Airtel Data Bundle - 5,000 Naira - 15GB - 30 Days", "4999.00"),
        ("airt-10000", "Airtel Data Bundle - 10,000 Naira - 40GB - 30 Days", "9999.00"),
        ("airt-15000", "Airtel Data Bundle - 15,000 Naira - 75GB - 30 Days", "14999.00"),
        ("airt-20000", "Airtel Data Bundle - 20,000 Naira - 110GB - 30 Days", "19999.00"),
    ),
    "etisalat-data": _plans(
        ("eti-100", "9mobile Data - 100 Naira - 100MB - 1 day", "100.00"),
        ("eti-200", "9mobile Data - 200 Naira - 650MB - 1 day", "200.00"),
        ("eti-500", "9mobile Data - 500 Naira - 500MB - 30 Days", "500.00"),
        ("eti-1000", "9mobile Data - 1000 Naira - 1.5GB - 30 days", "1000.00"),
        ("eti-2000", "9mobile Data - 2000 Naira - 4.5GB Data - 30 Days", "2000.00"),
        ("eti-5000", "9mobile Data - 5000 Naira - 15GB Data - 30 Days", "5000.00"),
        ("eti-10000", "9mobile Data - 10000 Naira - 40GB - 30 days", "10000.00"),
        ("eti-15000", "9mobile Data - 15000 Naira - 75GB - 30 Days", "15000.00"),
        ("eti-27500", "9mobile Data - 27,500 Naira - 30GB - 90 days", "27500.00"),
    ),
    "glo-sme-data": _plans(
        ("glo-dg-50", "Glo Data (SME) N50 - 200MB - 14 days", "50.00"),
        ("glo-dg-125-14", "Glo Data (SME) N125 - 500MB - 14 days", "125.00"),
        ("glo-dg-125-30", "Glo Data (SME) N125 - 500MB - 30 days", "125.00"),
        ("glo-dg-250", "Glo Data (SME) N250 - 1GB - 30 days", "250.00"),
        ("glo-dg-500", "Glo Data (SME) N500 - 2GB - 30 days", "500.00"),
        ("glo-dg-750", "Glo Data (SME) N750 - 3GB - 30 days", "750.00"),
        ("glo-dg-1250", "Glo Data (SME) N1250 - 5GB - 30 days", "1250.00"),
        ("glo-dg-2500", "Glo Data (SME) N2500 - 10GB - 30 days", "2500.00"),
    ),
    "smile-direct": _plans(
        ("516", "SmileVoice ONLY 65 for 30days - 510 Naira", "510.00"),
        ("413", "1GB FlexiDaily for 1 day - 1020 Naira", "1020.00"),
        ("624", "1.5GB Bigga for 30days - 1550 Naira", "1550.00"),
        ("625", "2GB Bigga for 30days - 2060 Naira", "2060.00"),
        ("626", "3GB Bigga for 30days - 3070 Naira", "3070.00"),
        ("627", "6.5GB Bigga for 30days - 6120 Naira", "6120.00"),
        ("628", "10GB Bigga for 30days - 8160 Naira", "8160.00"),
        ("630", "20GB Bigga for 30days - 15300 Naira", "15300.00"),
        ("545", "UnlimitedLite for 30days - 18360 Naira", "18360.00"),
        ("522", "Unlimited Essential for 30days - 27540 Naira", "27540.00"),
    ),
    "spectranet": _plans(
        ("vt-1000", "Spectranet N1000 Plan", "1000"),
        ("vt-2000", "Spectranet N2000 Plan", "2000"),
        ("vt-5000", "Spectranet N5000 Plan", "5000"),
        ("vt-7000", "Spectranet N7000 Plan", "7000"),
        ("vt-10000", "Spectranet N10000 Plan", "10000"),
    ),
    "dstv": _plans(
        ("dstv-padi", "DStv Padi N1,850", "1850.00"),
        ("dstv-yanga", "DStv Yanga N2,565", "2565.00"),
        ("dstv-confam", "Dstv Confam N4,615", "4615.00"),
        ("dstv6", "DStv Asia N6,200", "6200.00"),
        ("dstv79", "DStv  Compact N7900", "7900.00"),
        ("dstv7", "DStv Compact Plus N12,400", "12400.00"),
        ("dstv3", "DStv Premium N18,400", "18400.00"),
        ("dstv10", "DStv Premium Asia N20,500", "20500.00"),
        ("dstv9", "DStv Premium-French N25,550", "25550.00"),
        ("confam-extra", "DStv Confam + ExtraView N7,115", "7115.00"),
        ("yanga-extra", "DStv Yanga + ExtraView N5,065", "5065.00"),
        ("padi-extra", "DStv Padi + ExtraView N4,350", "4350.00"),
        ("com-asia", "DStv Compact + Asia N14,100", "14100.00"),
        ("dstv-box-office", "DStv Box Office N800", "800.00"),
        ("showmax3500", "Showmax Standalone - N3,500", "3500.00"),
    ),
    "gotv": _plans(
        ("gotv-lite", "GOtv Lite N410", "410.00"),
        ("gotv-jinja", "GOtv Jinja N1,640", "1640.00"),
        ("gotv-jolli", "GOtv Jolli N2,460", "2460.00"),
        ("gotv-max", "GOtv Max N3,600", "3600.00"),
        ("gotv-supa", "GOtv Supa - monthly N5,500", "5500.00"),
        ("gotv-lite-3months", "GOtv Lite (3 Months) N1,080", "1080.00"),
        ("gotv-lite-1year", "GOtv Lite (1 Year) N3,180", "3180.00"),
    ),
    "startimes": _plans(
        ("nova-weekly", "Nova - 300 Naira - 1 Week", "300.00"),
        ("nova", "Nova - 900 Naira - 1 Month", "900.00"),
        ("basic-weekly", "Basic - 450 Naira - 1 Week", "450.00"),
        ("basic", "Basic - 1,300 Naira - 1 Month", "1300.00"),
        ("smart-weekly", "Smart - 600 Naira - 1 Week", "600.00"),
        ("smart", "Smart - 1,900 Naira - 1 Month", "1900.00"),
        ("classic-weekly", "Classic - 900 Naira - 1 Week", "900.00"),
        ("classic", "Classic - 2,750 Naira - 1 Month", "2750.00"),
        ("super-weekly", "Super - 1,500 Naira - 1 Week", "1500.00"),
        ("super", "Super - 4,900 Naira - 1 Month", "4900.00"),
    ),
    "showmax": _plans(
        ("mobile_only", "Mobile Only - N1,450", "1450.00"),
        ("full", "Full - N2,900", "2900.00"),
        ("sports_mobile_only", "Pro Mobile - N3,200", "3200.00"),
        ("sports_full", "Showmax Pro - N6,300", "6300.00"),
        ("full_3", "Full (3 months) - N8,400", "8400.00"),
    ),
    "waec": _plans(("waecdirect", "WASSCE", "900.00")),
    "waec-registration": _plans(
        ("waec-registraion", "WASSCE for Private Candidates - Second Series", "14450.00"),
    ),
    "jamb": _plans(
        ("utme-mock", "UTME PIN (with mock)", "7700.00"),
        ("utme-no-mock", "UTME PIN (without mock)", "6200.00"),
        ("de", "Direct Entry (DE)", "4700.00"),
    ),
    "ui-insure": _plans(
        ("1", "Private", "3000.00"),
        ("2", "Commercial", "5000.00"),
        ("3", "Tricycles", "1500.00"),
        ("4", "Motorcycle", "3000.00"),
    ),
})  # fmt: skip

# vtpass.md Simulator spec §A: commission percent by kind; insurance is not documented [GUESS].
_KIND_COMMISSION = {
    Kind.AIRTIME: Decimal("3.5"),
    Kind.DATA: Decimal("4"),
    Kind.ELECTRICITY: Decimal("1.5"),
    Kind.TV: Decimal("1.5"),
    Kind.STARTIMES: Decimal("1.5"),
    Kind.SHOWMAX: Decimal("1"),
    Kind.WAEC: Decimal("1.5"),
    Kind.WAEC_REGISTRATION: Decimal("1.5"),
    Kind.JAMB: Decimal("1.5"),
    Kind.INSURANCE: Decimal("1.5"),
}


def default_commission_rates() -> Mapping[str, Decimal]:
    """Commission percent per serviceID (airtime 3.5, data 4, showmax 1, the rest 1.5)."""
    return MappingProxyType({s.service_id: _KIND_COMMISSION[s.kind] for s in SERVICES})


def default_convenience_fees() -> Mapping[str, Decimal]:
    """Naira fee added to `total_amount` per serviceID; only Showmax charges one (₦100)."""
    return MappingProxyType({"showmax": Decimal("100")})


def default_limits() -> Mapping[str, Limits]:
    """`/pay` amount limits per serviceID, as the seeded services advertise them."""
    return MappingProxyType({s.service_id: s.limits for s in SERVICES})
