"""Receipts: one `PayLink:` format for every product, saying what was paid (fee included), for
whom, the outcome (a failure says why and that the wallet was refunded), the token or PINs, and
the purchase's reference; GSM-7, one SMS when it can be, never a token or PIN cut off."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gateway.domain.purchase_status import PurchaseStatus
from gateway.gsm7 import septets, to_gsm7
from gateway.purchases import failure_reasons
from gateway.purchases.receipts import (
    customer_name_in,
    facts_of,
    pending_notice_message,
    receipt_messages,
)
from gateway.store.purchases import PurchaseRecord
from gateway.texts import receipts as wording
from gateway.texts.facts import ReceiptFacts
from gateway.texts.sms import parts as segments
from gateway.texts.telegram import ChatMessage
from tests.purchases.conftest import START

N = 100
DELIVERED = PurchaseStatus.DELIVERED


def render_receipt(receipt: ReceiptFacts) -> str:
    """The receipt's one SMS (these receipts all fit one)."""
    (sms,) = wording.receipt(receipt)
    return sms.body


def facts(**overrides: object) -> ReceiptFacts:
    base: dict[str, object] = {
        "reference": "PL-7KQ2M9XD",
        "product": "MTN Airtime",
        "face": 500 * N,
        "total": 500 * N,
        "status": DELIVERED,
        "recipient": "08031234567",
    }
    return ReceiptFacts(**{**base, **overrides})  # type: ignore[arg-type]


# one delivered receipt per product category, exactly as the customer reads it
@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {},
            "PayLink: MTN Airtime for 08031234567 successful. Paid N500. Ref PL-7KQ2M9XD",
        ),
        (
            {"product": "MTN Data 1.5GB 7 days"},
            "PayLink: MTN Data 1.5GB 7 days for 08031234567 successful. Paid N500. Ref PL-7KQ2M9XD",
        ),
        (
            {
                "product": "DStv Yanga",
                "face": 2_565 * N,
                "fee": 100 * N,
                "total": 2_665 * N,
                "recipient": "card 1212121212",
            },
            "PayLink: DStv Yanga for card 1212121212 successful."
            " Paid N2,665 (N2,565 + N100 fee). Ref PL-7KQ2M9XD",
        ),
        (
            {
                "product": "IKEDC Prepaid",
                "face": 1_000 * N,
                "fee": 100 * N,
                "total": 1_100 * N,
                "recipient": "meter 1111111111111",
                "token": "26362054405982757802",
                "units": "79.9 kWh",
            },
            "PayLink: IKEDC Prepaid for meter 1111111111111 successful."
            " Paid N1,100 (N1,000 + N100 fee). Token: 2636-2054-4059-8275-7802."
            " Units: 79.9 kWh. Ref PL-7KQ2M9XD",
        ),
        (
            {
                "product": "WAEC Result Checker",
                "quantity": 2,
                "face": 1_800 * N,
                "total": 1_800 * N,
                "pins": ("WRN182736451:112233445566", "WRN182736452:665544332211"),
            },
            "PayLink: 2 x WAEC Result Checker for 08031234567 successful. Paid N1,800."
            " PINs: WRN182736451:112233445566, WRN182736452:665544332211. Ref PL-7KQ2M9XD",
        ),
        (
            {
                "product": "JAMB UTME PIN (with mock)",
                "face": 7_700 * N,
                "total": 7_700 * N,
                "recipient": "profile 0123456789",
                "pins": ("367574683050773",),
            },
            "PayLink: JAMB UTME PIN (with mock) for profile 0123456789 successful."
            " Paid N7,700. PIN: 367574683050773. Ref PL-7KQ2M9XD",
        ),
    ],
    ids=["airtime", "data", "tv", "electricity", "waec", "jamb"],
)
def test_each_category_has_one_clean_receipt(overrides, expected):
    assert render_receipt(facts(**overrides)) == expected


def test_a_plan_receipt_never_doubles_the_name_or_the_amount():
    text = render_receipt(
        facts(product="DStv Yanga", face=2_565 * N, total=2_565 * N, recipient="card 1212121212")
    )
    assert text.count("DStv") == 1
    assert text.count("N2,565") == 1


def test_a_failed_receipt_says_why_and_that_the_total_was_refunded():
    text = render_receipt(
        facts(
            status=PurchaseStatus.FAILED,
            fee=100 * N,
            total=600 * N,
            reason=failure_reasons.DUPLICATE,
        )
    )
    assert text == (
        "PayLink: MTN Airtime for 08031234567 failed: same purchase was made under 30s ago."
        " N600 refunded to your wallet. Ref PL-7KQ2M9XD"
    )


def test_a_failed_receipt_without_a_known_reason_still_gives_one():
    text = render_receipt(facts(status=PurchaseStatus.FAILED))
    assert f"failed: {wording.NOT_COMPLETED}." in text


def test_a_stored_failure_without_a_known_code_gives_the_generic_reason():
    got = facts_of(_purchase(vtpass_code=None))
    assert f"failed: {failure_reasons.NOT_COMPLETED}." in render_receipt(got)


def test_a_reversed_receipt_says_refunded():
    text = render_receipt(facts(status=PurchaseStatus.REVERSED))
    assert text == (
        "PayLink: MTN Airtime for 08031234567 was reversed by the provider."
        " N500 refunded to your wallet. Ref PL-7KQ2M9XD"
    )


def test_an_open_purchase_has_no_receipt_only_the_pending_notice():
    # "still confirming" is `texts.receipts.pending_notice` (tests/notices), sent once
    with pytest.raises(ValueError, match="settled"):
        wording.receipt(facts(status=PurchaseStatus.PENDING))


def test_a_discount_is_shown_as_taken_off():
    text = render_receipt(facts(face=1_000 * N, discount=50 * N, total=950 * N))
    assert "Paid N950 (N1,000 - N50 off)." in text


def test_a_long_receipt_drops_the_fee_breakdown_before_going_over_one_sms():
    long = facts(
        product="Third Party Motor Insurance Private",
        recipient="account 12345678901234567890",
        face=500_000 * N,
        fee=100 * N,
        total=500_100 * N,
        status=PurchaseStatus.FAILED,
        reason=failure_reasons.NOT_COMPLETED,
    )
    text = render_receipt(long)
    assert septets(text) <= 160
    assert text.startswith("PayLink: ")
    assert "N500,100 refunded" in text
    assert text.endswith("Ref PL-7KQ2M9XD")


def test_many_pins_keep_the_prefix_and_every_pin_in_the_fewest_segments():
    pins = tuple(f"WRN{i:09d}:{i:012d}" for i in range(4))
    text = render_receipt(facts(product="WAEC Result Checker", quantity=4, pins=pins))
    assert text.startswith("PayLink: 4 x WAEC Result Checker")
    for pin in pins:
        assert pin in text
    assert segments(text) == 2
    assert text.endswith("Ref PL-7KQ2M9XD")


def test_result_checker_cards_are_named_cards_and_kept_apart():
    pins = ("Serial No: WRN1, PIN: 111", "Serial No: WRN2, PIN: 222")
    text = render_receipt(facts(product="WAEC Result Checker", quantity=2, pins=pins))
    assert "Cards: Serial No: WRN1, PIN: 111; Serial No: WRN2, PIN: 222. Ref PL-7KQ2M9XD" in text
    assert "PIN: Serial" not in text


def test_segments_count_like_a_handset():
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 306) == 2
    assert segments("a" * 307) == 3
    assert segments("€" * 80) == 1  # extension characters take two septets


def test_receipts_are_gsm7_only():
    text = render_receipt(facts(product="Ìkéjà ₦ Électric ✓"))
    assert to_gsm7(text) == text
    assert "₦" not in text
    assert septets(text) <= 160


def _purchase(**overrides: object) -> PurchaseRecord:
    base = PurchaseRecord(
        id=42,
        user_id=1,
        account_id=1,
        channel="ussd",
        category="tv-subscription",
        service_id="dstv",
        product="DStv Yanga",
        customer_ref="1212121212",
        variation_code="dstv-yanga",
        options={"subscription_type": "change"},
        phone="+2348031234567",
        quantity=1,
        face_amount=2_565 * N,
        fee=100 * N,
        discount=0,
        total=2_665 * N,
        status=PurchaseStatus.FAILED,
        needs_review=False,
        request_id="202506021000abcdefghijklmnop",
        reference="PL-7KQ2M9XD",
        idempotency_key="k",
        request_hash="h",
        vtpass_transaction_id=None,
        vtpass_code="019",
        failure_reason="VTPass suspects a duplicate: same product and number within 30 seconds",
        token=None,
        units=None,
        pins=(),
        attempts=1,
        next_requery_at=None,
        vend_claimed_by=None,
        vend_claimed_until=None,
        pay_sent_at=START,
        created_at=START,
        updated_at=START,
        settled_at=START,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_a_stored_purchase_gives_the_facts_with_its_customer_reference():
    got = facts_of(_purchase())
    assert got.reference == "PL-7KQ2M9XD"  # never the id, never the VTPass request id
    assert got.recipient == "card 1212121212"
    assert got.reason == failure_reasons.DUPLICATE  # VTPass 019, in customer words
    assert (got.face, got.fee, got.total) == (2_565 * N, 100 * N, 2_665 * N)


@pytest.mark.parametrize(
    ("category", "customer_ref", "shown"),
    [
        ("airtime", None, "08031234567"),
        ("data", "08031234567", "08031234567"),
        ("data", "1402000567", "account 1402000567"),
        ("electricity-bill", "1111111111111", "meter 1111111111111"),
        ("tv-subscription", "1212121212", "card 1212121212"),
        ("education", "0123456789", "profile 0123456789"),
        ("education", None, "08031234567"),
    ],
)
def test_the_recipient_is_named_as_the_customer_knows_it(category, customer_ref, shown):
    purchase = _purchase(category=category, customer_ref=customer_ref)
    assert facts_of(purchase).recipient == shown


def test_a_delivered_purchase_carries_no_failure_reason():
    assert facts_of(_purchase(status=PurchaseStatus.DELIVERED)).reason is None


def test_the_account_holder_named_by_a_delivery_is_read_from_the_answer():
    assert customer_name_in({"customerName": "ADA OBI"}) == "ADA OBI"
    assert customer_name_in({"content": {"CustomerName": "KANO TESTER"}}) == "KANO TESTER"
    assert customer_name_in({"customerName": "N/A"}) is None  # the sandbox's placeholder
    assert customer_name_in({}) is None


def test_a_receipt_goes_to_the_buyer_on_the_purchase_channel_tied_to_the_purchase():
    delivered = _purchase(status=PurchaseStatus.DELIVERED, channel="telegram")
    (message,) = receipt_messages(delivered, "+2348099999999", customer_name="ADA OBI")
    assert (message.phone, message.channel) == ("+2348099999999", "telegram")
    assert (message.user_id, message.purchase_id) == (1, 42)
    chat = ChatMessage.parse(message.body)  # the chat's wording, and the SMS if it balks
    assert "For card 1212121212 (ADA OBI)" in chat.html
    (sms,) = chat.fallback
    assert "for card 1212121212 (ADA OBI) successful" in sms


def test_an_sms_purchase_gets_its_receipt_as_sms_text():
    delivered = _purchase(status=PurchaseStatus.DELIVERED, channel="ussd")
    (message,) = receipt_messages(delivered, None, customer_name="ADA OBI")
    assert message.channel == "sms"
    assert message.body == render_receipt(facts_of(delivered, "ADA OBI"))


def test_a_chat_purchase_pending_for_long_is_told_in_the_chat_with_the_sms_notice_behind():
    pending = _purchase(status=PurchaseStatus.PENDING, channel="telegram")
    message = pending_notice_message(pending, None)
    assert (message.phone, message.channel) == ("+2348031234567", "telegram")
    chat = ChatMessage.parse(message.body)
    assert "We are still confirming <b>DStv Yanga</b> (₦2,665.00)." in chat.html
    assert chat.fallback == (wording.pending_notice(facts_of(pending)).body,)
