"""PIN shape and weak-PIN rules (pure); hashing, staging and lockout live in the coordinator.

Why: a 4-digit PIN has 10,000 values and people pick the same few; refusing the
guessable ones (one repeated digit like 0000, a straight run like 1234 or 9876, the phone's own
last four) at set-up is the cheapest protection the wallet gets.
"""

from __future__ import annotations

import itertools
import re

_PIN = re.compile(r"[0-9]{4}")


def is_pin_format(text: str) -> bool:
    """Exactly four ASCII digits."""
    return _PIN.fullmatch(text) is not None


def _straight(pin: str) -> bool:
    # every step +1 or every step -1, wrapping 9->0 (7890, 8901, 2109 count as runs)
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {9})


def is_weak_pin(pin: str, phone: str) -> bool:
    """Whether `pin` is refused: one repeated digit, a straight run, or the phone's last four."""
    if not is_pin_format(pin):
        return True
    digits = "".join(ch for ch in phone if ch.isdigit())
    return len(set(pin)) == 1 or _straight(pin) or digits.endswith(pin)
