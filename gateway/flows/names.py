"""Names a customer reads: providers by their brand, plans without VTPass's noise.

Why: VTPass names services for its merchants ("Smile Payment", "Gotv Payment", "WAEC Result
Checker PIN") and repeats the provider and the price inside plan names ("DStv Yanga N2,565",
"Airtel Data Bundle - 1,000 Naira - 1.5GB - 30 Days"). Shown as they are, screens and receipts
said "DStv DStv Yanga N2,565 N2,565" and cut the real price off long names. Here a plan name
loses the provider and any price it carries; the price shown is always the catalogue's amount.
Pure: strings in, strings out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gateway.flows.screens import clean, clip

# serviceID -> the brand customers know; services VTPass adds fall back to `_plain`
SERVICE_NAMES: Mapping[str, str] = {
    "mtn": "MTN",
    "glo": "Glo",
    "airtel": "Airtel",
    "etisalat": "9mobile",
    "mtn-data": "MTN Data",
    "glo-data": "Glo Data",
    "airtel-data": "Airtel Data",
    "etisalat-data": "9mobile Data",
    "glo-sme-data": "Glo SME Data",
    "smile-direct": "Smile",
    "spectranet": "Spectranet",
    "dstv": "DStv",
    "gotv": "GOtv",
    "startimes": "StarTimes",
    "showmax": "Showmax",
    "waec": "WAEC Result Checker",
    "waec-registration": "WAEC Registration",
    "jamb": "JAMB",
    "ui-insure": "Motor Insurance",
    # discos by the acronym on their bills (the USSD list shows "Ikeja (IKEDC)")
    "ikeja-electric": "IKEDC",
    "eko-electric": "EKEDC",
    "abuja-electric": "AEDC",
    "kano-electric": "KEDCO",
    "portharcourt-electric": "PHED",
    "jos-electric": "JED",
    "ibadan-electric": "IBEDC",
    "kaduna-electric": "KAEDCO",
    "enugu-electric": "EEDC",
    "benin-electric": "BEDC",
    "aba-electric": "APLE",
    "yola-electric": "YEDC",
}

# words VTPass adds to a service's name that tell a customer nothing
_NOISE = re.compile(
    r"\b(payment|subscription|vtu|pin vending|vending|services?|recharge)\b", re.IGNORECASE
)
# a price inside a plan name: "N2,565", "N 7900", "N1000", "1,000 Naira", "510 Naira"
_PRICE = re.compile(
    r"(?<![0-9A-Za-z])N ?[0-9][0-9,]*(?:\.[0-9]+)?(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])[0-9][0-9,]*(?:\.[0-9]+)? ?naira\b",
    re.IGNORECASE,
)
_SEPARATORS = " -:,/"
# words left at the front of a plan name once the provider is gone ("Bundle - 1.5GB ...")
_LEADING_FILLER = frozenset({"bundle", "data", "plan", "sme", "(sme)"})


def service_name(service_id: str, vtpass_name: str, width: int = 20) -> str:
    """The provider's name as customers know it ("Smile", not "Smile Payment")."""
    known = SERVICE_NAMES.get(service_id)
    if known is not None:
        return known
    return clip(_plain(vtpass_name) or clean(vtpass_name), width)


def _plain(name: str) -> str:
    text = _NOISE.sub(" ", clean(name))
    text = text.split(" - ")[0]  # "Third Party Motor Insurance - Universal Insurance"
    return " ".join(text.split()).strip(_SEPARATORS)


def plan_name(name: str, provider: str = "") -> str:
    """A plan's name without the provider's words in front and without any price in it.

    `provider` is the name the screen already shows ("DStv", "Airtel Data"); its words are
    dropped from the front of the plan name, unless nothing else is left ("Spectranet Plan").
    """
    original = " ".join(clean(name).split())
    unpriced = [w for w in _PRICE.sub(" ", original).split() if w.strip(_SEPARATORS)]
    provider_words = {w.lower() for w in clean(provider).split()}
    words = list(unpriced)
    while words and (words[0].lower() in provider_words or words[0].lower() in _LEADING_FILLER):
        words.pop(0)
    # dashes between parts ("Nova - 1 Week") cost screen width and say nothing
    return " ".join(words or unpriced) or original


def priced(label: str, price: str, width: int) -> str:
    """`label price` in `width` characters: the label is cut, never the price."""
    room = max(4, width - len(price) - 1)
    return f"{clip(label, room)} {price}"


def airtime_label(network: str) -> str:
    """An airtime purchase's product label on every channel: `MTN Airtime`."""
    return f"{network} Airtime"


def product_label(service_id: str, vtpass_name: str, plan: str | None = None) -> str:
    """The product label receipts and histories show: `DStv Yanga`, `MTN Data 1.5GB 7 days`."""
    provider = service_name(service_id, vtpass_name, 30)
    if not plan:
        return provider
    return clip(f"{provider} {plan_name(plan, provider)}", 60)
