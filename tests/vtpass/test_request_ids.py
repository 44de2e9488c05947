"""request_id: `YYYYMMDDHHII` in Lagos time + random alphanumerics (vtpass.md §3, §9.1)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from gateway.clock import FixedClock
from gateway.vtpass.request_ids import (
    MAX_LEN,
    new_request_id,
    request_id_date,
    request_id_date_is_today,
)

SHAPE = re.compile(r"^\d{12}[0-9A-Za-z]+$")


def test_format_and_length():
    rid = new_request_id(FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=UTC)))
    assert SHAPE.match(rid)
    assert len(rid) <= MAX_LEN
    assert rid.startswith("202611271100")  # 10:00 UTC is 11:00 in Lagos


def test_minted_at_2330_utc_is_already_tomorrow_in_lagos():
    clock = FixedClock(datetime(2026, 11, 27, 23, 30, tzinfo=UTC))
    rid = new_request_id(clock)
    assert rid.startswith("202611280030")
    assert request_id_date_is_today(rid, clock)
    assert not rid.startswith("20261127")


def test_year_rolls_over_in_lagos_first():
    rid = new_request_id(FixedClock(datetime(2026, 12, 31, 23, 5, tzinfo=UTC)))
    assert rid.startswith("202701010005")


def test_a_non_utc_clock_is_converted_not_trusted():
    from datetime import timedelta, timezone

    new_york = timezone(timedelta(hours=-5))
    rid = new_request_id(FixedClock(datetime(2026, 11, 27, 19, 45, tzinfo=new_york)))
    assert rid.startswith("202611280145")


@pytest.mark.parametrize("suffix_len", [1, 8, 24])
def test_suffix_length(suffix_len):
    rid = new_request_id(FixedClock(datetime(2026, 11, 27, tzinfo=UTC)), suffix_len=suffix_len)
    assert len(rid) == 12 + suffix_len
    assert len(rid) <= 36


@pytest.mark.parametrize("suffix_len", [0, -1, 25])
def test_bad_suffix_length(suffix_len):
    with pytest.raises(ValueError, match="suffix_len"):
        new_request_id(FixedClock(datetime(2026, 11, 27, tzinfo=UTC)), suffix_len=suffix_len)


def test_unique_over_many_calls_in_the_same_minute():
    clock = FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    ids = {new_request_id(clock) for _ in range(20_000)}
    assert len(ids) == 20_000
    assert all(SHAPE.match(rid) for rid in ids)


def test_date_helpers():
    clock = FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    assert request_id_date("202611271100abc").isoformat() == "2026-11-27"  # type: ignore[union-attr]
    assert request_id_date("20261127-abc") is None  # fewer than 12 digits
    assert request_id_date("202613271100abc") is None  # month 13
    assert request_id_date("VTU_AIR_123") is None
    assert request_id_date_is_today("202611271100abc", clock)
    clock.advance(24 * 3600)
    assert not request_id_date_is_today("202611271100abc", clock)
