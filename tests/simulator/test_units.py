"""Pure pieces: request_id dating in Lagos time and naira formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.vtpass.simulator.amounts import (
    json_number,
    money_text,
    parse_count,
    parse_naira,
    percent_of,
    plain_text,
)
from gateway.vtpass.simulator.request_ids import (
    BAD_DATE,
    BAD_TIME,
    NO_DATE,
    NOT_TODAY,
    request_id_problem,
)

NOON_LAGOS = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("request_id", "problem"),
    [
        ("202611271200", None),
        ("202611271200-c3pwwi49eid", None),
        ("20261127120", NO_DATE),
        ("2026-11-27-12", NO_DATE),
        ("２０２６11271200abc", NO_DATE),  # full-width digits are not digits here
        ("202602301200abc", BAD_DATE),
        ("000011271200abc", BAD_DATE),
        ("202611261200abc", NOT_TODAY),
    ],
)
def test_request_id_problem(request_id, problem):
    assert request_id_problem(request_id, NOON_LAGOS) == problem


def test_2330_utc_is_the_next_day_in_lagos():
    late = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert request_id_problem("202611280030abc", late) is None
    assert request_id_problem("202611272330abc", late) == NOT_TODAY


@pytest.mark.parametrize(
    ("request_id", "problem"),
    [
        ("202611271100abc", None),
        ("202611271300abc", None),
        ("202611271400abc", BAD_TIME),
        ("202611271260abc", BAD_TIME),
    ],
)
def test_strict_hour_allows_one_hour_either_way(request_id, problem):
    now = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # 12:00 Lagos
    assert request_id_problem(request_id, now, strict_hour=True) == problem


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100, Decimal("100.00")),
        ("100.00", Decimal("100.00")),
        (27.75, Decimal("27.75")),
        (" 50 ", Decimal("50.00")),
        ("1.005", Decimal("1.01")),
        ("abc", None),
        (True, None),
        (None, None),
        ("NaN", None),
        ([1], None),
    ],
)
def test_parse_naira(value, expected):
    assert parse_naira(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), ("3", 3), (3.0, 3), ("-1", -1), (3.5, None), ("x", None), (False, None)],
)
def test_parse_count(value, expected):
    assert parse_count(value) == expected


def test_number_and_text_forms():
    assert json_number(Decimal("100.00")) == 100
    assert isinstance(json_number(Decimal("100.00")), int)
    assert json_number(Decimal("4.85")) == 4.85
    assert plain_text(Decimal("100.00")) == "100"
    assert plain_text(Decimal("27.50")) == "27.5"
    assert plain_text(Decimal("1000000")) == "1000000"
    assert money_text(Decimal("1.5")) == "1.50"


def test_commission_rounds_half_up_to_kobo():
    assert percent_of(Decimal("2000"), Decimal("1.5")) == Decimal("30.00")
    assert percent_of(Decimal("101"), Decimal("3.5")) == Decimal("3.54")  # 3.535


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_json_number_round_trips_through_text(amount):
    assert Decimal(str(json_number(amount))) == amount
