"""A realistic catalogue snapshot for the flow tests: what VTPass's sandbox lists, and more.

Four networks with 30+ MTN data plans, twelve discos, DStv/GOtv/Startimes/Showmax bouquets, WAEC,
WAEC registration and JAMB; plus an insurance category the menus do not serve.
"""

from __future__ import annotations

from gateway.flows.catalogue import CatalogueSnapshot, Category, Service, Variation
from gateway.money import Kobo


def _n(naira: float) -> Kobo:
    return Kobo(round(naira * 100))


def _service(
    service_id: str,
    name: str,
    category: str,
    flexible: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> Service:
    return Service(
        service_id=service_id,
        name=name,
        category=category,
        product_type="flexible" if flexible else "fix",
        min_amount=None if low is None else _n(low),
        max_amount=None if high is None else _n(high),
    )


def _plans(*rows: tuple[str, str, float]) -> tuple[Variation, ...]:
    return tuple(Variation(code, name, _n(amount), True) for code, name, amount in rows)


CATEGORIES = (
    Category("airtime", "Airtime Recharge"),
    Category("data", "Data Services"),
    Category("tv-subscription", "TV Subscription"),
    Category("electricity-bill", "Electricity Bill"),
    Category("education", "Education"),
    Category("insurance", "Insurance"),
)

AIRTIME_SERVICES = (
    _service("mtn", "MTN Airtime VTU", "airtime", True, 50, 50_000),
    _service("glo", "GLO Airtime", "airtime", True, 50, 50_000),
    _service("airtel", "Airtel Airtime VTU", "airtime", True, 50, 50_000),
    _service("etisalat", "9mobile Airtime VTU", "airtime", True, 50, 50_000),
    _service("foreign-airtime", "Foreign Airtime", "airtime", True),
)

DATA_SERVICES = (
    _service("mtn-data", "MTN Data", "data", low=1, high=1_000_000),
    _service("glo-data", "GLO Data", "data", low=1, high=200_000),
    _service("airtel-data", "Airtel Data", "data", low=1, high=1_000_000),
    _service("etisalat-data", "9mobile Data", "data", low=1, high=1_000_000),
    _service("glo-sme-data", "GLO Data (SME)", "data", low=1, high=1_000_000),
    _service("smile-direct", "Smile Payment", "data", low=100, high=150_000),
    _service("spectranet", "Spectranet Internet Data", "data", high=100_000),
)

DISCOS = (
    ("ikeja-electric", "Ikeja Electric Payment - IKEDC"),
    ("eko-electric", "Eko Electric Payment - EKEDC"),
    ("kano-electric", "KEDCO - Kano Electric"),
    ("portharcourt-electric", "PHED - Port Harcourt Electric"),
    ("jos-electric", "Jos Electric - JED"),
    ("ibadan-electric", "IBEDC - Ibadan Electricity Distribution Company"),
    ("kaduna-electric", "Kaduna Electric - KAEDCO"),
    ("abuja-electric", "Abuja Electricity Distribution Company- AEDC"),
    ("enugu-electric", "Enugu Electric - EEDC"),
    ("benin-electric", "Benin Electric - BEDC"),
    ("aba-electric", "Aba Electric Payment - ABEDC"),
    ("yola-electric", "Yola Electric Disco Payment - YEDC"),
)
ELECTRICITY_SERVICES = tuple(
    _service(sid, name, "electricity-bill", True, 500, 500_000) for sid, name in DISCOS
)

TV_SERVICES = (
    _service("dstv", "DSTV Subscription", "tv-subscription", low=1, high=1_000_000),
    _service("gotv", "Gotv Payment", "tv-subscription", low=1, high=1_000_000),
    _service("startimes", "Startimes Subscription", "tv-subscription", low=1, high=1_000_000),
    _service("showmax", "ShowMax", "tv-subscription", low=1, high=1_000_000),
)

EDUCATION_SERVICES = (
    _service("waec", "WAEC Result Checker PIN", "education", low=1, high=1_000_000),
    _service("waec-registration", "WAEC Registration PIN", "education", low=1, high=1_000_000),
    _service("jamb", "JAMB PIN VENDING (UTME & Direct Entry)", "education", low=1),
)

INSURANCE_SERVICES = (_service("ui-insure", "Third Party Motor Insurance", "insurance"),)

MTN_DATA = _plans(
    ("mtn-10mb-100", "N100 100MB - 24 hrs", 100),
    ("mtn-50mb-200", "N200 200MB - 2 days", 200),
    ("mtn-100mb-1000", "N1000 1.5GB - 30 days", 1000),
    ("mtn-500mb-2000", "N2000 4.5GB - 30 days", 2000),
    ("mtn-3gb-1500", "N1500 3GB - 30 days", 1500),
    ("mtn-40gb-10000", "N10,000 40GB - 30 days", 10_000),
    ("mtn-xtratalk-300", "MTN XtraTalk Weekly Bundle N300", 300),
    ("mtn-75gb-15000", "N15,000 75GB - 30 days", 15_000),
    ("mtn-110gb-20000", "N20,000 110GB - 30 days", 20_000),
    ("mtn-200gb-30000", "N30,000 200GB - 30 days", 30_000),
    ("mtn-1gb-300-1d", "N300 1GB - 1 day (plus 5 mins)", 300),
    ("mtn-2-5gb-500-2d", "N500 2.5GB - 2 days", 500),
    ("mtn-6gb-1500-7d", "N1,500 6GB - 7 days", 1500),
    ("mtn-10gb-3000", "N3000 10GB - 30 days", 3000),
    ("mtn-12gb-3500", "N3500 12GB - 30 days", 3500),
    ("mtn-20gb-5000", "N5000 20GB - 30 days", 5000),
    ("mtn-25gb-6000", "N6000 25GB - 30 days", 6000),
    ("mtn-1gb-350-2d", "N350 1GB - 2 days", 350),
    ("mtn-750mb-500-7d", "N500 750MB - 7 days", 500),
    ("mtn-2gb-1200", "N1200 2GB - 30 days", 1200),
    ("mtn-2-7gb-2000", "N2000 2.7GB - 30 days", 2000),
    ("mtn-7gb-2500", "N2500 7GB - 30 days", 2500),
    ("mtn-165gb-50000", "N50,000 165GB - 60 days", 50_000),
    ("mtn-360gb-100000", "N100,000 360GB - 90 days", 100_000),
    ("mtn-4-5tb-450000", "N450,000 4.5TB - 365 days", 450_000),
    ("mtn-youtube-night-200", "YouTube Night 1.5GB (2am-5am) - 1 day", 200),
    ("mtn-social-100", "Social bundle 100MB (WhatsApp, FB)", 100),
    ("mtn-sme-1gb", "MTN SME 1GB - 30 days", 280),
    ("mtn-sme-2gb", "MTN SME 2GB - 30 days", 560),
    ("mtn-sme-5gb", "MTN SME 5GB - 30 days", 1400),
    ("mtn-sme-10gb", "MTN SME 10GB - 30 days", 2800),
    ("mtn-router-30gb", "Router/MiFi 30GB Monthly – ₦9,000", 9000),
    ("mtn-broadband-60gb", "Home broadband 60GB — 30 days “Always on”", 13_500),
    ("mtn-hynetflex-1tb", "HyNetFlex 1TB Unlimited Monthly (Lagos, Abuja, PH only)", 75_000),
)
GLO_DATA = _plans(
    ("glo100", "Glo Data N100 - 105MB - 2 days", 100),
    ("glo200", "Glo Data N200 - 350MB - 4 days", 200),
    ("glo500", "Glo Data N500 - 1.05GB - 14 days", 500),
    ("glo1000", "Glo Data N1000 - 2.5GB - 30 days", 1000),
    ("glo2000", "Glo Data N2000 - 5.8GB - 30 days", 2000),
    ("glo2500", "Glo Data N2500 - 7.7GB - 30 days", 2500),
    ("glo3000", "Glo Data N3000 - 10GB - 30 days", 3000),
    ("glo4000", "Glo Data N4000 - 13.25GB - 30 days", 4000),
)
AIRTEL_DATA = _plans(
    ("airt-100", "Airtel Data Bundle - 100 Naira - 75MB - 1Day", 100),
    ("airt-200", "Airtel Data Bundle - 200 Naira - 200MB - 3Days", 200),
    ("airt-500", "Airtel Data Bundle - 500 Naira - 750MB - 14Days", 500),
    ("airt-1000", "Airtel Data Bundle - 1,000 Naira - 1.5GB - 30Days", 1000),
    ("airt-2000", "Airtel Data Bundle - 2,000 Naira - 4.5GB - 30Days", 2000),
    ("airt-5000", "Airtel Data Bundle - 5,000 Naira - 20GB - 30Days", 5000),
)
NINE_DATA = _plans(
    ("eti-100", "9mobile 100MB - 100 Naira - 1 day", 100),
    ("eti-200", "9mobile 650MB - 200 Naira - 1 day", 200),
    ("eti-500", "9mobile 500MB - 500 Naira - 30 days", 500),
    ("eti-1000", "9mobile 1.5GB - 1,000 Naira - 30 days", 1000),
    ("eti-2000", "9mobile 4.5GB - 2,000 Naira - 30 days", 2000),
)
GLO_SME = _plans(
    ("glo-dg-50", "Glo Data (SME) N50 - 200MB - 14 days", 50),
    ("glo-dg-125-14", "Glo Data (SME) N125 - 500MB - 14 days", 125),
    ("glo-dg-125-30", "Glo Data (SME) N250 - 1GB - 30 days", 250),
)
SMILE = _plans(
    ("516", "SmileVoice ONLY 65 for 30days", 510),
    ("413", "1GB FlexiDaily for 1day", 1020),
    ("624", "Unlimited Lite for 30days", 18_000),
)
SPECTRANET = _plans(("vt-1000", "Spectranet N1,000", 1000), ("vt-2000", "Spectranet N2,000", 2000))
DSTV = _plans(
    ("dstv-padi", "DStv Padi N1,850", 1850),
    ("dstv-yanga", "DStv Yanga N2,565", 2565),
    ("dstv-confam", "Dstv Confam N4,615", 4615),
    ("dstv79", "DStv  Compact N7900", 7900),
    ("dstv3", "DStv Premium N18,400", 18_400),
    ("dstv7", "DStv Compact Plus N12,400", 12_400),
    ("dstv6", "DStv Asia N6,200", 6200),
    ("dstv9", "DStv Premium-French N25,550", 25_550),
    ("dstv10", "DStv Premium-Asia N20,500", 20_500),
    ("confam-extra", "DStv Confam + ExtraView N7,115", 7115),
    ("yanga-extra", "DStv Yanga + ExtraView N5,065", 5065),
    ("padi-extra", "DStv Padi + ExtraView N4,350", 4350),
    ("com-asia", "DStv Compact + Asia N14,100", 14_100),
    ("dstv30", "DStv Compact + Extra View N10,400", 10_400),
    ("com-frenchtouch", "DStv Compact + French Touch N10,200", 10_200),
    ("dstv-box-office", "DStv Box Office N800", 800),
    ("showmax3500", "Showmax Standalone N3,500", 3500),
)
GOTV = _plans(
    ("gotv-lite", "GOtv Lite N410", 410),
    ("gotv-jinja", "GOtv Jinja N1,640", 1640),
    ("gotv-jolli", "GOtv Jolli N2,460", 2460),
    ("gotv-max", "GOtv Max N3,600", 3600),
    ("gotv-lite-3months", "GOtv Lite (3 Months) N1,080", 1080),
    ("gotv-lite-1year", "GOtv Lite (1 Year) N3,180", 3180),
)
STARTIMES = _plans(
    ("nova", "Nova - 900 Naira - 1 Month", 900),
    ("basic", "Basic - 1,300 Naira - 1 Month", 1300),
    ("smart", "Smart - 1,900 Naira - 1 Month", 1900),
    ("classic", "Classic - 2,000 Naira - 1 Month", 2000),
    ("super", "Super - 3,800 Naira - 1 Month", 3800),
)
SHOWMAX = _plans(
    ("full", "Full - N2,900", 2900),
    ("mobile_only", "Mobile Only - N1,450", 1450),
    ("sports_full", "Pro - N6,300", 6300),
)
WAEC = _plans(("waecdirect", "WASSCE Result Checker PIN", 900))
WAEC_REGISTRATION = _plans(("waec-registraion", "WASSCE for Private Candidates", 14_450))
JAMB = _plans(
    ("utme-mock", "UTME PIN (with mock)", 7700),
    ("utme-no-mock", "UTME PIN (without mock)", 6200),
)

VARIATIONS = {
    "mtn-data": MTN_DATA,
    "glo-data": GLO_DATA,
    "airtel-data": AIRTEL_DATA,
    "etisalat-data": NINE_DATA,
    "glo-sme-data": GLO_SME,
    "smile-direct": SMILE,
    "spectranet": SPECTRANET,
    "dstv": DSTV,
    "gotv": GOTV,
    "startimes": STARTIMES,
    "showmax": SHOWMAX,
    "waec": WAEC,
    "waec-registration": WAEC_REGISTRATION,
    "jamb": JAMB,
    "ui-insure": _plans(("1", "Private", 3000)),
}


def full_catalog() -> CatalogueSnapshot:
    services = (
        *AIRTIME_SERVICES,
        *DATA_SERVICES,
        *ELECTRICITY_SERVICES,
        *TV_SERVICES,
        *EDUCATION_SERVICES,
        *INSURANCE_SERVICES,
    )
    return CatalogueSnapshot.build(CATEGORIES, services, VARIATIONS)


CATALOG = full_catalog()
