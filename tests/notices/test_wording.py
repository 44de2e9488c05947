"""What each SMS says, exactly as the customer reads it (the sizes are in test_templates)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.domain.purchase_status import PurchaseStatus
from gateway.pin_policy import RESET_HINT
from gateway.texts import account, receipts
from gateway.texts.facts import ReceiptFacts
from gateway.texts.sms import Kind, Sms, clip, short_name

N = 100


def facts(**overrides: object) -> ReceiptFacts:
    base: dict[str, object] = {
        "reference": "PL-7KQ2M9XD",
        "product": "IKEDC Prepaid",
        "face": 1_000 * N,
        "fee": 100 * N,
        "total": 1_100 * N,
        "status": PurchaseStatus.DELIVERED,
        "recipient": "meter 1111111111111",
        "token": "26362054405982757802",
        "units": "79.9 kWh",
    }
    return ReceiptFacts(**{**base, **overrides})  # type: ignore[arg-type]


def test_a_token_receipt_names_the_meters_holder_when_it_fits():
    (sms,) = receipts.receipt(facts(customer_name="ADA OBI"))
    assert sms.body == (
        "PayLink: IKEDC Prepaid for meter 1111111111111 (ADA OBI) successful. Paid N1,100."
        " Token: 2636-2054-4059-8275-7802. Units: 79.9 kWh. Ref PL-7KQ2M9XD"
    )
    assert sms.kind is Kind.RECEIPT


def test_a_long_holders_name_becomes_initials():
    (sms,) = receipts.receipt(facts(customer_name="CHUKWUEMEKA IFEANYICHUKWU OKONKWO"))
    assert "(CHUKWUEMEKA I. O.)" in sms.body
    assert sms.parts == 1


def test_the_name_goes_before_the_token_receipt_needs_a_second_part():
    long = facts(product="Port Harcourt Electricity Prepaid", customer_name="OLUWADAMILARE ADEYEMI")
    (sms,) = receipts.receipt(long)
    assert sms.parts == 1
    assert "OLUWADAMILARE" not in sms.body
    assert "Token: 2636-2054-4059-8275-7802." in sms.body


@pytest.mark.parametrize("placeholder", ["N/A", "null", "  ", None])
def test_a_placeholder_name_is_left_out(placeholder):
    (sms,) = receipts.receipt(facts(customer_name=placeholder))
    assert "meter 1111111111111 successful" in sms.body


def test_ten_result_checker_cards_come_in_numbered_sms_each_within_two_parts():
    cards = tuple(f"Serial No: WRN{i:09d}, PIN: {i:012d}" for i in range(10))
    bought = facts(
        product="WAEC Result Checker",
        recipient="08031234567",
        token=None,
        units=None,
        pins=cards,
        quantity=10,
        face=9_000 * N,
        fee=0,
        total=9_000 * N,
    )

    first, *more = receipts.receipt(bought)

    assert first.body.startswith(
        "PayLink: 10 x WAEC Result Checker for 08031234567 successful. Paid N9,000."
        " Cards 1-4 of 10: Serial No: WRN000000000, PIN: 000000000000; "
    )
    assert [sms.body.split(": Serial No:")[0] for sms in more] == [
        "PayLink: WAEC Result Checker Cards 5-9 of 10",
        "PayLink: WAEC Result Checker Card 10 of 10",
    ]
    assert all(sms.parts <= 2 and sms.body.endswith(" Ref PL-7KQ2M9XD") for sms in more)
    assert sum(sms.body.count("Serial No:") for sms in (first, *more)) == 10


def test_a_pending_notice_says_it_is_being_confirmed_and_not_to_pay_again():
    sms = receipts.pending_notice(facts(status=PurchaseStatus.PENDING, token=None, units=None))
    assert sms.body == (
        "PayLink: we are still confirming IKEDC Prepaid for meter 1111111111111 (N1,100)."
        " Do not pay again: you will get a receipt or a full refund. Ref PL-7KQ2M9XD"
    )
    assert sms.parts == 1
    assert sms.kind is Kind.NOTICE


def test_a_wallet_credit_says_how_much_and_the_new_balance():
    sms = account.wallet_credited(5_000 * N, 12_500_50)
    assert sms.body == "PayLink: N5,000 was added to your wallet. New balance: N12,500.50."
    assert sms.kind is Kind.RECEIPT


def test_codes_say_who_sends_them_and_never_to_share_them():
    sms = account.one_time_code("123456", 10)
    assert sms.body == (
        "PayLink code: 123456. It expires in 10 minutes."
        " Never share it: PayLink staff will never ask for it."
    )
    assert sms.kind is Kind.CODE
    assert "to confirm your new e-mail address" in account.email_change_code("123456", 10).body


def test_a_pin_lock_gives_the_lagos_time_or_the_way_to_reset():
    timed = account.pin_locked(datetime(2026, 1, 5, 9, 30, tzinfo=UTC), 3)
    hard = account.pin_locked(None, 3)
    assert "3 wrong PINs. Purchases are locked until 10:30 (Lagos time)." in timed.body
    assert hard.body.endswith(RESET_HINT)
    assert {timed.kind, hard.kind} == {Kind.SECURITY}


def test_security_notices_say_what_to_do_if_it_was_not_you():
    for sms in (account.pin_reset(), account.email_changed()):
        assert "Not you? Change your password now" in sms.body
        assert sms.kind is Kind.SECURITY
        assert not sms.kind.stoppable


def test_a_body_outside_gsm7_is_refused():
    with pytest.raises(ValueError, match="GSM-7"):
        Sms("PayLink: ₦1,500", Kind.NOTICE)


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("TESTMETER1", "TESTMETER1"),
        ("Capital James", "Capital James"),
        ("CHUKWUEMEKA IFEANYICHUKWU OKONKWO-NWACHUKWU", "CHUKWUEMEKA I. O."),
        ("ADÉBÁYỌ̀ OLÚWASEUN & SONS LTD", "ADÉBAYO OLUWASEUN"),
        ("OLUWADAMILAREOLUWASEUNFUNMI ADE", "OLUWADAMILAREOLUWA.."),
        ("  MUHAMMADU   BUHARI  ", "MUHAMMADU BUHARI"),
        ("n/a", None),
    ],
)
def test_a_registry_name_is_shortened_to_words_then_initials(name, short):
    assert short_name(name) == short


def test_clipping_counts_two_septet_characters():
    assert clip("DStv {Premium}", 10) == "DStv {P.."
    assert clip("short", 10) == "short"
