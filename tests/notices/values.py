"""The longest realistic values a template is filled with, as hypothesis strategies.

Products are the catalogue's own labels (what `purchases.ordering` and the flows name a
purchase, the longest first: "WAEC Registration WASSCE for Private Candidates Second Ser..",
TV renewals) and channel labels up to the column's 100 characters; names are what a registry
returns (long Yoruba, Igbo and Hausa names, accents, `N/A`); tokens are 20 digits, bare or
dashed; amounts reach the catalogue's limits; exam purchases carry up to 10 cards.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from gateway.domain.purchase_status import PurchaseStatus
from gateway.flows.names import product_label
from gateway.purchases import failure_reasons
from gateway.purchases.references import ALPHABET, LENGTH, PREFIX
from gateway.texts.facts import ReceiptFacts
from gateway.vtpass.simulator.catalogue import SEED_VARIATIONS, SERVICES

N = 100
MAX_CARDS = 10  # VTPass sells at most 10 units in one /pay (and the flows offer 10 WAEC cards)


def _catalogue_labels() -> list[str]:
    labels = []
    for service in SERVICES:
        base = product_label(service.service_id, service.name)
        labels += [base, f"{base} renewal", f"{base} Prepaid", f"{base} Postpaid"]
        for plan in SEED_VARIATIONS.get(service.service_id, ()):
            labels.append(product_label(service.service_id, service.name, plan.name))
    return sorted(set(labels), key=len, reverse=True)


CATALOGUE_LABELS = _catalogue_labels()
ELECTRICITY_LABELS = sorted(
    {
        f"{product_label(s.service_id, s.name)} {kind}"
        for s in SERVICES
        if s.category == "electricity-bill"
        for kind in ("Prepaid", "Postpaid")
    }
    | {s.name for s in SERVICES if s.category == "electricity-bill"},
    key=len,
    reverse=True,
)

# what a person or a channel may type into a label or a registry into a name: letters with
# the accents of Nigerian names, digits, everyday punctuation, and characters GSM-7 lacks
_TEXT = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll", "Nd", "Zs", "Mn"),
    include_characters="-.,'()&/₦“”’ẹọṣẸỌṢàèìòùÁÉÍÓÚ",
)
free_label = st.text(_TEXT, min_size=1, max_size=100).filter(str.strip)
product = st.one_of(
    st.sampled_from(CATALOGUE_LABELS), st.sampled_from(CATALOGUE_LABELS[:5]), free_label
)
electricity_product = st.one_of(st.sampled_from(ELECTRICITY_LABELS), free_label)

_NAME_WORDS = st.sampled_from(
    [
        "CHUKWUEMEKA",
        "IFEANYICHUKWU",
        "OLUWADAMILARE",
        "OLÚWASEUN",
        "ADÉBÁYỌ̀",
        "OKONKWO-NWACHUKWU",
        "ABUBAKAR",
        "MUHAMMADU",
        "NGOZI",
        "MRS.",
        "ALHAJI",
        "&",
        "SONS",
        "ENTERPRISES",
        "NIGERIA",
        "LIMITED",
        "TESTMETER1",
        "Capital",
        "James",
    ]
)
customer_name = st.one_of(
    st.none(),
    st.sampled_from(["N/A", "null", "", "TESTMETER1", "Capital James"]),
    st.lists(_NAME_WORDS, min_size=1, max_size=8).map(" ".join),
    st.text(_TEXT, max_size=80),
)

reference = st.text(st.sampled_from(ALPHABET), min_size=LENGTH, max_size=LENGTH).map(
    lambda code: PREFIX + code
)
digits = st.text(st.sampled_from("0123456789"), min_size=20, max_size=20)
token = st.one_of(digits, digits.map(lambda t: "-".join(t[i : i + 4] for i in range(0, 20, 4))))
units = st.one_of(
    st.decimals(min_value=0, max_value=99_999, places=2).map(lambda u: f"{u} kWh"),
    st.decimals(min_value=0, max_value=99_999, places=1).map(str),
)
meter = st.text(st.sampled_from("0123456789"), min_size=11, max_size=13)
phone = st.sampled_from(["08031234567", "09087654321", "07012345678"])
recipient = st.one_of(
    phone,
    meter.map(lambda m: f"meter {m}"),
    st.text(st.sampled_from("0123456789"), min_size=10, max_size=12).map(lambda c: f"card {c}"),
    st.text(st.sampled_from("0123456789ABCDEF@.-"), min_size=6, max_size=64).map(
        lambda a: f"account {a}"
    ),
)
reason = st.sampled_from(sorted({*failure_reasons.REASONS.values(), failure_reasons.NOT_COMPLETED}))

# the catalogue's limits: TV and exams to N1,000,000 a unit, electricity N500,000, with kobo
face = st.integers(min_value=1 * N, max_value=1_000_000 * N)
electricity_face = st.integers(min_value=500 * N, max_value=500_000 * N)
_serial = st.text(st.sampled_from("0123456789"), min_size=9, max_size=10)
_pin = st.text(st.sampled_from("0123456789"), min_size=12, max_size=16)
card = st.builds(lambda s, p: f"Serial No: WRN{s}, PIN: {p}", _serial, _pin)
exam_pin = st.text(st.sampled_from("0123456789"), min_size=10, max_size=20)
pins = st.one_of(
    st.just(()),
    st.lists(card, min_size=1, max_size=MAX_CARDS, unique=True).map(tuple),
    st.lists(exam_pin, min_size=1, max_size=MAX_CARDS, unique=True).map(tuple),
)
settled = st.sampled_from(
    [PurchaseStatus.DELIVERED, PurchaseStatus.FAILED, PurchaseStatus.REVERSED]
)
# hypothesis takes naive bounds and attaches `timezones` to what it draws
moment = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2035, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@st.composite
def receipt_facts(
    draw: st.DrawFn, status: st.SearchStrategy[PurchaseStatus] = settled
) -> ReceiptFacts:
    """Any receipt: any product, recipient, outcome, PINs or cards, at the largest amounts."""
    card_pins = draw(pins)
    face_amount = draw(face) * max(1, len(card_pins))
    fee = draw(st.integers(min_value=0, max_value=face_amount // 10))
    discount = draw(st.integers(min_value=0, max_value=face_amount // 10))
    return ReceiptFacts(
        reference=draw(reference),
        product=draw(product),
        face=face_amount,
        total=face_amount + fee - discount,
        status=draw(status),
        recipient=draw(st.one_of(st.none(), recipient)),
        customer_name=draw(customer_name),
        token=draw(st.one_of(st.none(), token)),
        units=draw(st.one_of(st.none(), units)),
        pins=card_pins,
        fee=fee,
        discount=discount,
        quantity=max(1, len(card_pins)),
        reason=draw(st.one_of(st.none(), reason)),
    )


@st.composite
def token_receipt_facts(draw: st.DrawFn) -> ReceiptFacts:
    """A delivered prepaid electricity receipt: the one that must fit a single SMS."""
    face_amount = draw(electricity_face)
    fee = draw(st.integers(min_value=0, max_value=face_amount // 20))  # up to 5 %
    return ReceiptFacts(
        reference=draw(reference),
        product=draw(electricity_product),
        face=face_amount,
        total=face_amount + fee,
        status=PurchaseStatus.DELIVERED,
        recipient=draw(meter.map(lambda m: f"meter {m}")),
        customer_name=draw(customer_name),
        token=draw(token),
        units=draw(units),
        fee=fee,
    )
