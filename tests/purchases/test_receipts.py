"""Receipts: one GSM-7 SMS with what the customer needs (token, units, PINs, refund)."""

from __future__ import annotations

from gateway.purchases.receipts import ReceiptFacts, gsm7_length, render_receipt, to_gsm7
from gateway.purchases.statuses import PurchaseStatus

N = 100


def facts(**overrides: object) -> ReceiptFacts:
    base: dict[str, object] = {
        "reference": "42",
        "product": "MTN Airtime",
        "face": 1_500 * N,
        "total": 1_500 * N,
        "status": PurchaseStatus.DELIVERED,
        "recipient": "08031234567",
    }
    return ReceiptFacts(**{**base, **overrides})  # type: ignore[arg-type]


def test_a_delivered_airtime_receipt():
    assert render_receipt(facts()) == (
        "PayLink: MTN Airtime N1,500 for 08031234567 successful. Ref 42"
    )


def test_an_electricity_receipt_carries_the_grouped_token_and_units():
    text = render_receipt(
        facts(
            product="Ikeja Electric",
            face=5_000 * N,
            recipient="1111111111111",
            token="26362054405982757802",
            units="79.9 kWh",
        )
    )
    assert "Token: 2636-2054-4059-8275-7802." in text
    assert "Units: 79.9 kWh." in text
    assert len(text) <= 160


def test_a_failed_receipt_says_refunded_with_the_total():
    text = render_receipt(facts(status=PurchaseStatus.FAILED, total=1_600 * N))
    assert "failed. N1,600 refunded to your wallet." in text


def test_a_long_receipt_drops_words_before_pins():
    pins = tuple(f"WRN{i:09d}:{i:012d}" for i in range(4))
    text = render_receipt(facts(product="WAEC Result Checker", pins=pins))
    for pin in pins:
        assert pin in text
    assert not text.startswith("PayLink")


def test_receipts_are_gsm7_only():
    text = render_receipt(facts(product="Ìkéjà ₦ Électric ✓"))
    assert to_gsm7(text) == text
    assert "₦" not in text
    assert gsm7_length(text) <= 160
