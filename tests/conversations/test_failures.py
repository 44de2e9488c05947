"""Tracebacks are logged masked: exception messages carry screens, SQL parameters, forms."""

from __future__ import annotations

from gateway.conversations.failures import masked_traceback


def test_a_traceback_never_shows_a_full_phone():
    try:
        raise ValueError("screen is 170 > 160 characters: 'To 08031234567 / +2348051234567'")
    except ValueError as exc:
        text = masked_traceback(exc)
    assert "ValueError" in text
    assert "test_failures.py" in text
    assert "08031234567" not in text
    assert "2348051234567" not in text
    assert "0803****567" in text
