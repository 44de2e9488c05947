"""Receipts in a chat's terms (`gateway.texts.telegram`): `₦1,500.00`, Telegram HTML, values to
copy in `<code>`, and the SMS wording carried along for when the chat cannot take it.

Each text is read as the user sees it (`visible_text`, the fake Bot API's parser, which refuses
what Telegram refuses).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from gateway.domain.purchase_status import PurchaseStatus
from gateway.texts import receipts
from gateway.texts.facts import ReceiptFacts
from gateway.texts.telegram import MAX_TEXT, ChatMessage, pending_notice, receipt
from tests.fixtures.fake_bot_api import visible_text
from tests.notices import values

N = 100
CARDS = tuple(f"Serial No: WRN{i:09d}, PIN: {i:012d}" for i in range(1, 11))


def facts(**overrides: object) -> ReceiptFacts:
    base: dict[str, object] = {
        "reference": "PL-7KQ2M9XD",
        "product": "IKEDC Prepaid",
        "face": 1_000 * N,
        "fee": 100 * N,
        "total": 1_100 * N,
        "status": PurchaseStatus.DELIVERED,
        "recipient": "meter 1111111111111",
        "customer_name": "ADA OBI",
        "token": "26362054405982757802",
        "units": "79.9 kWh",
    }
    return ReceiptFacts(**{**base, **overrides})  # type: ignore[arg-type]


def failed() -> ReceiptFacts:
    return facts(
        product="MTN Airtime",
        recipient="08022222222",
        customer_name=None,
        token=None,
        units=None,
        face=500 * N,
        fee=0,
        total=500 * N,
        status=PurchaseStatus.FAILED,
        reason="the provider declined; check the number",
    )


def exam_cards(count: int = 3) -> ReceiptFacts:
    return facts(
        product="WAEC Result Checker",
        recipient="08031234567",
        customer_name=None,
        token=None,
        units=None,
        pins=CARDS[:count],
        quantity=count,
        face=900 * N * count,
        fee=0,
        total=900 * N * count,
    )


def shown(message: ChatMessage) -> str:
    return visible_text(message.html, "HTML")


def test_a_token_receipt_shows_naira_the_holder_and_the_token_to_copy():
    message = receipt(facts())
    assert shown(message) == (
        "IKEDC Prepaid: successful\n"
        "For meter 1111111111111 (ADA OBI)\n"
        "Paid ₦1,100.00 (₦1,000.00 + ₦100.00 fee)\n"
        "Token: 2636-2054-4059-8275-7802\n"
        "Units: 79.9 kWh\n"
        "Ref: PL-7KQ2M9XD"
    )
    assert "<code>2636-2054-4059-8275-7802</code>" in message.html
    assert "<code>PL-7KQ2M9XD</code>" in message.html
    assert message.html.startswith("<b>IKEDC Prepaid: successful</b>\n")


def test_a_token_receipt_falls_back_to_the_sms_receipt_word_for_word():
    message = receipt(facts())
    assert message.fallback == tuple(sms.body for sms in receipts.receipt(facts()))
    assert message.fallback[0].startswith("PayLink: IKEDC Prepaid for meter 1111111111111")
    assert "Paid N1,100" in message.fallback[0]


def test_a_failed_purchase_says_why_and_that_the_wallet_was_refunded():
    message = receipt(failed())
    assert shown(message) == (
        "MTN Airtime: failed\n"
        "For 08022222222\n"
        "Why: the provider declined; check the number.\n"
        "₦500.00 refunded to your wallet.\n"
        "Ref: PL-7KQ2M9XD"
    )
    assert message.fallback == (
        "PayLink: MTN Airtime for 08022222222 failed: the provider declined; check the number."
        " N500 refunded to your wallet. Ref PL-7KQ2M9XD",
    )


def test_a_failure_without_a_reason_says_the_provider_did_not_complete_it():
    message = receipt(facts(status=PurchaseStatus.FAILED, reason=None, token=None, units=None))
    assert f"Why: {receipts.NOT_COMPLETED}." in shown(message)


def test_a_reversal_says_the_provider_reversed_it_and_the_refund():
    message = receipt(facts(status=PurchaseStatus.REVERSED))
    assert shown(message).split("\n")[2:4] == [
        "The provider reversed it.",
        "₦1,100.00 refunded to your wallet.",
    ]
    assert "Token" not in shown(message)


def test_exam_cards_are_numbered_with_serial_and_pin_each_to_copy():
    message = receipt(exam_cards(2))
    assert shown(message) == (
        "2 x WAEC Result Checker: successful\n"
        "For 08031234567\n"
        "Paid ₦1,800.00\n"
        "Cards:\n"
        "1. Serial No WRN000000001, PIN 000000000001\n"
        "2. Serial No WRN000000002, PIN 000000000002\n"
        "Ref: PL-7KQ2M9XD"
    )
    assert "Serial No <code>WRN000000001</code>, PIN <code>000000000001</code>" in message.html


def test_ten_cards_fit_one_chat_message_and_fall_back_to_numbered_sms():
    message = receipt(exam_cards(10))
    assert all(f"<code>{card[-12:]}</code>" in message.html for card in CARDS)
    assert message.fallback == tuple(sms.body for sms in receipts.receipt(exam_cards(10)))
    assert len(message.fallback) > 1  # the SMS wording needs more than one message for ten


def test_a_single_exam_pin_is_one_line():
    message = receipt(facts(pins=("1196227748581291",), token=None, units=None))
    assert "PIN: <code>1196227748581291</code>" in message.html


def test_outside_text_is_escaped_and_shown_as_written():
    odd = facts(product="Ikeja <Prepaid> & co", customer_name="ADÉBÁYỌ̀ <b>&amp;</b>")
    message = receipt(odd)
    lines = shown(message).split("\n")
    assert lines[0] == "Ikeja <Prepaid> & co: successful"
    assert lines[1] == "For meter 1111111111111 (ADÉBÁYỌ̀ <b>&amp;</b>)"  # accents kept


def test_a_placeholder_name_is_left_out():
    assert shown(receipt(facts(customer_name="N/A"))).split("\n")[1] == "For meter 1111111111111"


def test_a_pending_notice_says_not_to_pay_again_and_carries_the_sms_notice():
    open_facts = facts(status=PurchaseStatus.PENDING, token=None, units=None)
    message = pending_notice(open_facts)
    assert shown(message) == (
        "We are still confirming IKEDC Prepaid (₦1,100.00).\n"
        "For meter 1111111111111\n"
        "Do not pay again: you will get a receipt here or a full refund.\n"
        "Ref: PL-7KQ2M9XD"
    )
    assert message.fallback == (receipts.pending_notice(open_facts).body,)


def test_the_outbox_body_carries_both_texts_and_reads_back():
    message = receipt(exam_cards(10))
    assert ChatMessage.parse(message.body) == message


def test_a_plain_body_is_shown_as_written_and_is_its_own_sms():
    plain = "PayLink: a receipt <queued before> chat wording & co"
    message = ChatMessage.parse(plain)
    assert shown(message) == plain
    assert message.fallback == (plain,)


def test_a_receipt_is_only_for_a_settled_purchase():
    with pytest.raises(ValueError, match="settled"):
        receipt(facts(status=PurchaseStatus.PENDING))


@settings(max_examples=300, deadline=None)
@given(any_facts=values.receipt_facts())
def test_every_receipt_is_a_message_telegram_takes_with_values_to_copy(any_facts):
    message = receipt(any_facts)
    text = shown(message)  # raises like Telegram on HTML it cannot parse
    assert 0 < len(text) <= MAX_TEXT
    assert f"<code>{any_facts.reference}</code>" in message.html
    delivered = any_facts.status is PurchaseStatus.DELIVERED
    assert ("Paid ₦" if delivered else "refunded to your wallet.") in text
    assert re.search(r"₦[0-9,]+\.[0-9]{2}", text)
    if delivered:
        for pin in any_facts.pins:
            assert pin.split(", PIN: ")[-1] in text
    assert message.fallback == tuple(sms.body for sms in receipts.receipt(any_facts))
