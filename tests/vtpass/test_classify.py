"""`classify()` against the decision matrix (vtpass.md §4.1/§4.2) and the drift of §9.

The expected outcomes are written out here from the spec, not imported from the implementation,
so a change to the code table has to be a deliberate change to this table too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.clock import LAGOS
from gateway.vtpass.models import Card, Outcome
from gateway.vtpass.pay_results import classify, clean_token, needs_token
from gateway.vtpass.reading import parse_transaction_date
from tests.vtpass.bodies import load, txn_body

P, F, R = Outcome.PENDING, Outcome.FAILED, Outcome.REJECTED

# vtpass.md §4.1, every row; 000/040/015 have their own tests below.
SPEC_CODES = [
    ("099", P),  # transaction is processing
    ("001", P),  # "transaction query": not in the matrix -> unknown -> pending
    ("044", P),  # resolved: contact VTPass (manual)
    ("091", F),  # not processed, not charged
    ("016", F),  # transaction failed
    ("010", R),
    ("011", R),
    ("012", R),
    ("013", R),
    ("014", P),  # request id already exists: requery the original
    ("017", R),
    ("018", R),
    ("019", R),  # likely duplicate: this request was not processed
    ("020", R),  # verification code on a purchase -> refused (docs: treat as failed)
    ("021", R),
    ("022", R),
    ("023", R),
    ("024", R),
    ("025", R),
    ("026", R),
    ("027", R),
    ("028", R),
    ("030", R),
    ("031", R),
    ("032", R),
    ("034", R),
    ("035", R),
    ("083", P),  # system error: unknown -> requery
    ("085", R),
    ("087", R),
    ("089", P),  # previous request still processing
    ("777", P),  # anything not in the table
]


@pytest.mark.parametrize(("code", "outcome"), SPEC_CODES)
def test_every_code_of_the_table_lands_in_its_outcome(code, outcome):
    body = {"code": code, "response_description": "WHATEVER", "content": {"errors": []}}
    result = classify(200, body, request_id="202611271100abc")
    assert result.outcome is outcome
    assert result.code == code
    assert result.reason  # every non-delivered outcome says why, in words
    assert result.request_id == "202611271100abc"


@pytest.mark.parametrize(("code", "outcome"), SPEC_CODES)
def test_codes_sent_as_json_numbers_are_read_as_three_digits(code, outcome):
    assert classify(200, {"code": int(code)}).outcome is outcome


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("delivered", Outcome.DELIVERED),
        ("initiated", P),
        ("pending", P),
        ("failed", F),
        ("reversed", Outcome.REVERSED),
        ("resolved", P),
        ("DELIVERED", Outcome.DELIVERED),  # case drift
        ("something-new", P),
        (None, P),  # 000 with no status at all (old format, "UNEXPECTED RESPONSE")
    ],
)
def test_code_000_is_decided_by_the_transaction_status(status, outcome):
    result = classify(200, txn_body("000", status))
    assert result.outcome is outcome
    assert (result.reason is None) == (outcome is Outcome.DELIVERED)


def test_only_000_with_delivered_is_success():
    assert classify(200, txn_body("016", "delivered")).outcome is F
    assert classify(200, txn_body("099", "delivered")).outcome is P


@pytest.mark.parametrize(
    "body",
    [
        {"code": "040", "response_description": "TRANSACTION REVERSAL"},
        txn_body("040", "reversed"),
        txn_body("000", "reversed", response_description="TRANSACTION REVERSED"),
        {"code": "000", "response_description": "TRANSACTION REVERSED"},
    ],
)
def test_reversal_is_recognised_as_040_or_status_reversed(body):
    assert classify(200, body).outcome is Outcome.REVERSED


def test_015_is_not_found_on_requery_and_pending_anywhere_else():
    body = {"code": "015", "response_description": "INVALID REQUEST ID", "content": {"errors": []}}
    assert classify(200, body, requery=True).outcome is Outcome.NOT_FOUND
    assert classify(200, body).outcome is P


def test_014_on_pay_is_pending_so_the_original_gets_requeried():
    body = {"code": "014", "response_description": "REQUEST ID ALREADY EXIST"}
    result = classify(200, body, request_id="202611271100dup")
    assert result.outcome is P
    assert "requery" in (result.reason or "")


@pytest.mark.parametrize(
    ("http_status", "body"),
    [
        (500, {"code": "083", "content": {"errors": []}}),
        (500, txn_body("000", "delivered")),  # a 5xx is never trusted as final
        (503, txn_body("016", "failed")),
        (502, b"<html><head><title>502 Bad Gateway</title></head></html>"),
        (502, b"<!DOCTYPE html><html>Bad gateway</html>"),
        (200, b""),
        (200, b"   "),
        (200, b'{"code":"000","content":{'),
        (200, "not json at all"),
        (200, b"[1, 2, 3]"),
        (200, None),
        (200, {"code": "000", "response_description": "UNEXPECTED RESPONSE"}),
        (200, {"code": "777"}),
        (200, {"response_description": "TRANSACTION SUCCESSFUL"}),  # no code at all
        (404, b"Not Found"),
    ],
)
def test_anything_unclear_is_pending_never_failed(http_status, body):
    result = classify(http_status, body, request_id="202611271100abc")
    assert result.outcome is P
    assert result.reason
    assert result.http_status == http_status
    assert result.request_id == "202611271100abc"


def test_unreadable_bodies_are_kept_for_the_audit_trail():
    result = classify(502, b"<html>Bad Gateway</html>")
    assert result.raw == {"unparsed_body": "<html>Bad Gateway</html>"}
    assert "HTML" in (result.reason or "")


def test_083_with_http_500_says_system_error():
    result = classify(500, {"code": "083", "content": {"errors": []}})
    assert result.outcome is P
    assert result.code == "083"
    assert "system error" in (result.reason or "")


# --- §9 drift: amounts, ids, dates ------------------------------------------------------------


def test_current_envelope_reads_amounts_as_kobo_whatever_their_json_type():
    result = classify(200, load("pay_delivered_data"))
    assert result.outcome is Outcome.DELIVERED
    assert (result.amount, result.total_amount, result.commission) == (10_000, 9_600, 400)
    assert result.transaction_id == "17415991578739548187285972"
    assert result.request_id == "2025031010323857076"  # echoed when the caller gave none
    assert result.transaction_date == datetime(2025, 3, 10, 9, 32, 37, tzinfo=UTC)
    assert result.token is None
    assert result.pins == ()


def test_string_amounts_with_decimals_are_exact():
    result = classify(200, load("pay_waec"))
    assert (result.amount, result.total_amount, result.commission) == (180_000, 178_650, 1_350)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-10T09:32:37.000000Z", datetime(2025, 3, 10, 9, 32, 37, tzinfo=UTC)),
        ("2025-03-10T09:32:37+00:00", datetime(2025, 3, 10, 9, 32, 37, tzinfo=UTC)),
        (
            {"date": "2019-07-23 10:17:16.000000", "timezone_type": 3, "timezone": "Africa/Lagos"},
            datetime(2019, 7, 23, 10, 17, 16, tzinfo=LAGOS),
        ),
        (
            {"date": "2019-07-23 10:17:16.000000", "timezone_type": 3, "timezone": "UTC"},
            datetime(2019, 7, 23, 10, 17, 16, tzinfo=UTC),
        ),
        ("2019-07-23 10:17:16", datetime(2019, 7, 23, 10, 17, 16, tzinfo=LAGOS)),
        (None, None),
        ("", None),
        ("yesterday", None),
        ({"timezone": "Africa/Lagos"}, None),
        (1583519914, None),
    ],
)
def test_transaction_date_in_all_three_shapes(value, expected):
    parsed = parse_transaction_date(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_old_format_with_date_object_and_string_amount():
    result = classify(200, load("pay_eko_prepaid_old"))
    assert result.amount == 500_000  # transactions.amount 5000 (number)
    assert result.transaction_date == datetime(2019, 7, 23, 9, 17, 16, tzinfo=UTC)


def test_old_format_without_content_is_pending_until_requeried():
    body = {
        "code": "000",
        "response_description": "TRANSACTION SUCCESSFUL",
        "transactionId": "1563873435424",
        "amount": "50.00",
        "transaction_date": {"date": "2019-07-23 10:17:16.000000", "timezone_type": 3},
    }
    result = classify(200, body)
    assert result.outcome is P  # no status: the matrix needs 000 AND delivered
    assert result.transaction_id == "1563873435424"
    assert result.amount == 5_000


# --- §9.9 tokens per disco ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "token", "units"),
    [
        ("pay_ikeja_prepaid", "26362054405982757802", "79.9 kWh"),
        ("pay_eko_prepaid_old", "12345678901234567890", "182.4 kWh"),  # mainToken/mainTokenUnits
        ("pay_kano_prepaid", "51720334998122034411", "41.2 kWh"),  # Token/Units (a number)
        ("pay_jos_prepaid", "37376908115288302271", "55.3 kWh"),  # dashed Token
        ("requery_ikeja_prepaid", "26362054405982757802", None),  # requery: transactions.extras
    ],
)
def test_prepaid_tokens_are_found_whatever_the_disco_calls_them(fixture, token, units):
    result = classify(200, load(fixture), expects_token=True)
    assert result.outcome is Outcome.DELIVERED
    assert result.token == token
    assert result.units == units


def test_eko_purchased_code_alone_gives_the_main_token_not_the_bonus():
    body = load("pay_eko_prepaid_old")
    del body["mainToken"]
    assert classify(200, body).token == "12345678901234567890"


@pytest.mark.parametrize("missing", ["N/A", "null", "", None, "Token : ", "Token : N/A"])
def test_prepaid_delivered_without_a_token_is_pending(missing):
    body = load("pay_ikeja_prepaid")
    body["token"] = missing
    body["purchased_code"] = missing
    inferred = classify(200, body)  # units sold -> prepaid, inferred from the body
    told = classify(200, body, expects_token=True)
    for result in (inferred, told):
        assert result.outcome is P
        assert result.token is None
        assert "token" in (result.reason or "")


def test_postpaid_delivered_needs_no_token():
    result = classify(200, load("pay_ikeja_postpaid"))
    assert result.outcome is Outcome.DELIVERED
    assert result.token is None
    assert classify(200, load("pay_ikeja_postpaid"), expects_token=False).outcome is (
        Outcome.DELIVERED
    )


def test_kano_postpaid_null_strings_do_not_count_as_a_token():
    body = load("pay_kano_prepaid")
    body.update(Token="null", Units="null", ReceiptNumber="KEDCO-1")
    assert classify(200, body, expects_token=False).outcome is Outcome.DELIVERED
    assert classify(200, body, expects_token=True).outcome is P


@pytest.mark.parametrize(
    ("raw", "token"),
    [
        ("Token : 26362054405982757802", "26362054405982757802"),
        ("Token: 26362054405982757802", "26362054405982757802"),
        ("token:26362054405982757802", "26362054405982757802"),
        ("3737-6908-1152-8830-2271", "37376908115288302271"),
        ("5172 0334 9981 2203 4411", "51720334998122034411"),
        (26362054405982757802, "26362054405982757802"),
        ("Token : 1234 Bonus Token : 5678", None),  # too short to be a token
        ("N/A", None),
        ("null", None),
        ("NULL", None),
        ("", None),
        (None, None),
        ("pending", None),
        (True, None),
    ],
)
def test_clean_token(raw, token):
    assert clean_token(raw) == token


def test_needs_token_only_for_prepaid_electricity():
    assert needs_token("ikeja-electric", "prepaid")
    assert needs_token("jos-electric", "PREPAID")
    assert not needs_token("ikeja-electric", "postpaid")
    assert not needs_token("mtn", None)


# --- PINs, cards, vouchers ---------------------------------------------------------------------


def test_waec_cards_sent_as_a_json_string():
    result = classify(200, load("pay_waec"))
    assert result.cards == (
        Card("WRN123456790", "098765432112"),
        Card("WRN123456791", "098765432113"),
    )
    assert result.pins == (
        "Serial No: WRN123456790, PIN: 098765432112",
        "Serial No: WRN123456791, PIN: 098765432113",
    )
    assert result.token is None


def test_waec_cards_sent_as_a_list():
    body = load("pay_waec")
    body["cards"] = json.loads(body["cards"])
    assert len(classify(200, body).cards) == 2


def test_waec_cards_recovered_from_purchased_code_when_cards_is_missing():
    body = load("pay_waec")
    del body["cards"]
    assert classify(200, body).cards[1] == Card("WRN123456791", "098765432113")


def test_waec_registration_tokens_become_pins_not_an_electricity_token():
    result = classify(200, load("pay_waec_registration"))
    assert result.pins == ("0100070365657400875",)
    assert result.token is None


def test_jamb_pin_prefix_is_stripped():
    assert classify(200, load("pay_jamb")).pins == ("3678251321392432",)


def test_showmax_voucher():
    result = classify(200, load("pay_showmax"))
    assert result.pins == ("SHMVHXQ9L3RXGPU",)
    assert result.total_amount == 841_600


def test_voucher_from_purchased_code_when_no_dedicated_field():
    body = load("pay_showmax")
    del body["Voucher"]
    assert classify(200, body).pins == ("SHMVHXQ9L3RXGPU",)


# --- audit copies ------------------------------------------------------------------------------


def test_raw_never_keeps_credentials():
    body = txn_body("000", "delivered")
    body["api-key"] = "leaked"
    body["content"]["transactions"]["secret-key"] = "SK_leaked"
    body["content"]["transactions"]["nested"] = [{"Public-Key": "PK_leaked", "ok": 1}]
    result = classify(200, body)
    assert "leaked" not in json.dumps(result.raw)
    assert result.raw["content"]["transactions"]["nested"] == [{"ok": 1}]


# --- properties --------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
codes = st.sampled_from(["000", "016", "040", "099", "014", 0, 16, "", None, "abc"])
statuses = st.sampled_from(["delivered", "pending", "failed", "reversed", None, 3, ""])


@given(
    http_status=st.integers(100, 599),
    code=codes,
    status=statuses,
    extra=st.dictionaries(st.text(max_size=12), json_values, max_size=5),
)
def test_classify_never_raises_and_only_delivers_on_000_delivered(http_status, code, status, extra):
    body = {**extra, "code": code, "content": {"transactions": {"status": status}}}
    result = classify(http_status, body)
    if result.outcome is Outcome.DELIVERED:
        assert http_status < 500
        assert result.code == "000"
        assert result.status == "delivered"


@given(st.binary(max_size=64) | json_values)
def test_classify_survives_any_body(body):
    result = classify(200, body)
    assert result.outcome in set(Outcome)
