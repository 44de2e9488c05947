"""The transaction PIN's shape and weak-PIN rules: pure, shared by every channel and the API.

Why: a 4-digit PIN has 10,000 values and people pick the same few; refusing the guessable ones
(one repeated digit like 0000, a straight run like 1234 or 9876 including wrap-arounds like
7890, the phone's own last four) at set-up is the cheapest protection the wallet gets.
"""

from __future__ import annotations

import itertools
import re

_PIN = re.compile(r"[0-9]{4}")
# where a locked-out owner goes (every channel says the same; GSM-7, fits any USSD screen)
RESET_HINT = "Reset your PIN in the PayLink web app with your password or an SMS code."


def is_pin_format(text: str) -> bool:
    """Exactly four ASCII digits."""
    return _PIN.fullmatch(text) is not None


def _straight(pin: str) -> bool:
    # every step +1 or every step -1, wrapping 9->0 (7890, 8901, 2109 count as runs)
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {9})


def weak_pin_reason(pin: str, phone: str) -> str | None:
    """Why `pin` is refused for the owner of `phone`, or None when it is acceptable."""
    if not is_pin_format(pin):
        return "a PIN is exactly 4 digits"
    if len(set(pin)) == 1:
        return "a PIN cannot be one digit repeated"
    if _straight(pin):
        return "a PIN cannot be a straight run of digits, counting up or down"
    if "".join(ch for ch in phone if ch.isdigit()).endswith(pin):
        return "a PIN cannot be the last four digits of your phone number"
    return None


def is_weak_pin(pin: str, phone: str) -> bool:
    """Whether `pin` is refused (see `weak_pin_reason`)."""
    return weak_pin_reason(pin, phone) is not None
