"""Money as integer kobo; the only place naira and kobo are converted or formatted."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NewType

Kobo = NewType("Kobo", int)

KOBO_PER_NAIRA = 100
_NAIRA_TEXT = re.compile(r"^\s*(?:₦|N|NGN)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$")


def kobo(value: int) -> Kobo:
    """Mark an integer as kobo; refuses bools and floats so they never slip in."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"kobo must be an int, got {type(value).__name__}")
    return Kobo(value)


def parse_naira(text: str) -> Kobo:
    """Parse a naira amount typed by a person ("1500", "1,500.50", "N1500") into kobo.

    Raises:
        ValueError: the text is not a non-negative amount with at most two decimals.
    """
    match = _NAIRA_TEXT.match(text)
    if match is None:
        raise ValueError(f"not a naira amount: {text!r}")
    whole = int(match.group(1).replace(",", ""))
    fraction = (match.group(2) or "0").ljust(2, "0")
    return Kobo(whole * KOBO_PER_NAIRA + int(fraction))


def naira_to_kobo(value: str | int | float | Decimal) -> Kobo:
    """Convert an upstream naira figure ("100.00", 27.75, 7900) to kobo, rounding half up.

    Upstream JSON flips between strings and numbers; floats are read through their
    shortest repr so 27.75 becomes exactly 2775.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return Kobo(int((amount * KOBO_PER_NAIRA).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def kobo_to_naira(amount: int) -> Decimal:
    """Kobo as a two-decimal naira Decimal, for upstream APIs that want naira."""
    return (Decimal(amount) / KOBO_PER_NAIRA).quantize(Decimal("0.01"))


def format_rich(amount: int) -> str:
    """`₦1,500.00`: for the web and Telegram."""
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), KOBO_PER_NAIRA)
    return f"{sign}₦{whole:,}.{part:02d}"


def format_gsm(amount: int) -> str:
    """`N1,500` (or `N1,500.50`): GSM-7 only, for USSD and SMS where `₦` halves the budget."""
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), KOBO_PER_NAIRA)
    return f"{sign}N{whole:,}" + (f".{part:02d}" if part else "")
