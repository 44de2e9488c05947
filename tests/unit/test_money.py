"""Money is integer kobo; naira appear only when parsing or formatting."""

import pytest

from gateway.money import format_gsm, format_rich, kobo, naira_to_kobo, parse_naira


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1500", 150000),
        ("1,500.50", 150050),
        ("N1500", 150000),
        ("₦2,000", 200000),
        ("0.5", 50),
        ("12.05", 1205),
        (" 100 ", 10000),
    ],
)
def test_parse_naira_reads_what_people_type(text, expected):
    assert parse_naira(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.234", "1,50", "1e3", "1500.", "NaN"])
def test_parse_naira_refuses_anything_else(text):
    with pytest.raises(ValueError, match="naira"):
        parse_naira(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("100.00", 10000), (27.75, 2775), (7900, 790000), ("0.005", 1), (" 96 ", 9600), (0.1, 10)],
)
def test_upstream_naira_becomes_exact_kobo(value, expected):
    assert naira_to_kobo(value) == expected


@pytest.mark.parametrize("value", [True, "N/A", "", "inf", "nan"])
def test_upstream_non_amounts_are_refused(value):
    with pytest.raises(ValueError, match="amount"):
        naira_to_kobo(value)


def test_kobo_refuses_floats():
    with pytest.raises(TypeError):
        kobo(1.5)  # type: ignore[arg-type]


def test_rich_format_is_for_web_and_telegram():
    assert format_rich(150000) == "₦1,500.00"
    assert format_rich(5) == "₦0.05"
    assert format_rich(-123456) == "-₦1,234.56"


def test_gsm_format_has_no_naira_sign():
    assert format_gsm(150000) == "N1,500"
    assert format_gsm(150050) == "N1,500.50"
    assert format_gsm(0) == "N0"
