"""Nigerian mobile numbers: the three ways people type them, stored as E.164 (`+234…`)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NewType

Msisdn = NewType("Msisdn", str)

# A Nigerian mobile number is 10 national digits after the trunk `0` or the country code; every
# mobile range today starts 70x, 80x, 81x, 90x or 91x. Spaces and hyphens people type are dropped.
_NATIONAL = r"([789][01]\d{8})"
_FORMS = re.compile(rf"^(?:0{_NATIONAL}|\+?234{_NATIONAL})$")
_SEPARATORS = re.compile(r"[\s\-()]")
_ANY_NG = re.compile(r"^(?:0|\+?234)(\d{10})$")  # any Nigerian number, for display only


@lru_cache(maxsize=4096)  # every USSD hop and SMS normalises its sender; few phones are live
def normalize_phone(text: str) -> Msisdn:
    """`08031234567`, `2348031234567` or `+2348031234567` as `+2348031234567`.

    Raises:
        ValueError: not a Nigerian mobile number in one of those forms.
    """
    match = _FORMS.match(_SEPARATORS.sub("", text))
    if match is None:
        raise ValueError(f"not a Nigerian mobile number: {text!r}")
    national = match.group(1) or match.group(2)
    return Msisdn(f"+234{national}")


def to_local(phone: str) -> str:
    """The local form `08031234567` that people and VTPass expect, from any way it is typed.

    The one formatter for screens, receipts and the VTPass payload. Anything else (a sandbox
    scenario number, a value stored before today's rules) comes back exactly as given: no
    screen or receipt fails over a number.
    """
    match = _ANY_NG.match(_SEPARATORS.sub("", phone))
    return "0" + match.group(1) if match else phone


# VTPass's sandbox (and our simulator) decide a phone-keyed purchase by these numbers
# (vtpass.md §5.1); `08011111111` (success) is an ordinary mobile number, the others are not.
SANDBOX_NUMBERS: dict[str, str] = {
    "201000000000": "pending",
    "500000000000": "unexpected response",
    "400000000000": "no response",
    "300000000000": "timeout",
}


def normalize_recipient(text: str, *, sandbox: bool) -> str:
    """A number to buy for: a Nigerian mobile as E.164, or, only when `sandbox` (the gateway
    talks to the simulator or VTPass's sandbox), one of the sandbox's scenario numbers as is,
    so every test outcome can be reached from a channel. Live mode accepts real numbers only.

    Raises:
        ValueError: neither.
    """
    bare = _SEPARATORS.sub("", text)
    if sandbox and bare in SANDBOX_NUMBERS:
        return bare
    return normalize_phone(text)


def is_phone(text: str) -> bool:
    """Whether `text` is a Nigerian mobile number in an accepted form."""
    try:
        normalize_phone(text)
    except ValueError:
        return False
    return True
