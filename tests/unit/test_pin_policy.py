"""Weak PINs are refused at set-up and change: they are the first ones a thief tries."""

from __future__ import annotations

import pytest

from gateway.pin_policy import is_pin_format, is_weak_pin

PHONE = "+2348031234567"


@pytest.mark.parametrize(
    "pin",
    ["0000", "1111", "9999", "1234", "2345", "6789", "7890", "8901", "9012", "4321", "9876",
     "3210", "2109", "0987", "4567"],
    ids=lambda pin: pin,
)  # fmt: skip
def test_weak(pin):
    assert is_weak_pin(pin, PHONE)


@pytest.mark.parametrize("pin", ["1357", "2468", "1122", "2580", "7391", "1212", "0011"])
def test_acceptable(pin):
    assert not is_weak_pin(pin, PHONE)


def test_the_phones_last_four_are_weak_for_that_phone_only():
    assert is_weak_pin("4567", "+2348031234567")
    assert not is_weak_pin("4568", "+2348031234567")
    assert is_weak_pin("4568", "+2348031234568")


@pytest.mark.parametrize(
    ("text", "ok"),
    [("1357", True), ("135", False), ("13579", False), ("13a7", False), ("١٣٥٧", False),
     (" 1357", False), ("", False)],
)  # fmt: skip
def test_pin_format_is_four_ascii_digits(text, ok):
    assert is_pin_format(text) is ok
    if not ok:
        assert is_weak_pin(text, PHONE)
