"""Phone numbers: the three accepted forms become E.164; anything else is refused."""

from __future__ import annotations

import pytest

from gateway.phones import is_phone, normalize_phone, to_local


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
