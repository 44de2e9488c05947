"""Phone numbers: the three accepted forms become E.164; anything else is refused."""

from __future__ import annotations

import pytest

from gateway.phones import is_phone, normalize_phone, normalize_recipient, to_local


@pytest.mark.parametrize(
    "text", ["08031234567", "2348031234567", "+2348031234567", " 0803 123 4567 ", "0803-123-4567"]
)
def test_accepted_forms_normalise_to_e164(text):
    assert normalize_phone(text) == "+2348031234567"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "8031234567",
        "0803123456",
        "080312345678",
        "+23408031234567",
        "+2448031234567",
        "06031234567",
        "0803123456a",
        "+1 202 555 0100",
    ],
)
def test_other_forms_are_refused(text):
    with pytest.raises(ValueError, match="not a Nigerian mobile number"):
        normalize_phone(text)
    assert not is_phone(text)


def test_to_local_gives_the_form_vtpass_and_people_use():
    assert to_local("+2348031234567") == "08031234567"
    assert to_local("2349031234567") == "09031234567"


@pytest.mark.parametrize(
    ("phone", "local"),
    [
        ("+2348011111111", "08011111111"),
        ("2348011111111", "08011111111"),
        ("+234 801 111 1111", "08011111111"),  # as typed: spaces never reach VTPass
        ("08011111111", "08011111111"),
        ("0801-111-1111", "08011111111"),
        ("201000000000", "201000000000"),  # sandbox scenario numbers pass untouched
    ],
)
def test_to_local_is_the_one_form_for_vtpass_screens_and_receipts(phone, local):
    assert to_local(phone) == local


@pytest.mark.parametrize("stored", ["+1555012345", "12345", "not a number"])
def test_to_local_shows_a_number_it_cannot_read_as_stored_rather_than_failing_a_receipt(stored):
    assert to_local(stored) == stored


@pytest.mark.parametrize("number", ["201000000000", "500000000000", "400000000000", "300000000000"])
def test_sandbox_scenario_numbers_are_recipients_only_against_a_sandbox(number):
    assert normalize_recipient(number, sandbox=True) == number
    assert to_local(number) == number  # what VTPass's sandbox is sent, as typed
    with pytest.raises(ValueError, match="not a Nigerian mobile number"):
        normalize_recipient(number, sandbox=False)  # live: a real number or nothing


@pytest.mark.parametrize("text", ["201000000001", "20100000000", "0201000000000", "600000000000"])
def test_a_near_miss_of_a_scenario_number_is_still_refused(text):
    with pytest.raises(ValueError, match="not a Nigerian mobile number"):
        normalize_recipient(text, sandbox=True)


def test_real_numbers_are_recipients_in_every_mode():
    for sandbox in (True, False):
        assert normalize_recipient("0801 111 1111", sandbox=sandbox) == "+2348011111111"
