"""Naira amounts as `Decimal`: parsing what clients send and writing what VTPass writes.

VTPass speaks naira and flips between `"100.00"`, `"100"` and `100`; the simulator keeps exact
`Decimal`s and only turns them into JSON numbers (int, or float for display) at the very edge.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_CENTS = Decimal("0.01")
_HUNDRED = Decimal(100)


def parse_naira(value: object) -> Decimal | None:
    """A client's amount (number or numeric string) as naira, or None if it is not one."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            amount = Decimal(repr(value))
        elif isinstance(value, int | str | Decimal):
            amount = Decimal(str(value).strip())
        else:
            return None
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return round_naira(amount)


def parse_count(value: object) -> int | None:
    """A client's `quantity` (int, integral float or digit string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit() and text.isascii():
            return int(text)
    return None


def round_naira(amount: Decimal) -> Decimal:
    """Round to kobo, half up (how VTPass rounds commissions)."""
    return amount.quantize(_CENTS, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, rate_percent: Decimal) -> Decimal:
    """`round(amount × rate%, 2)`: the commission on `amount`."""
    return round_naira(amount * rate_percent / _HUNDRED)


def json_number(amount: Decimal) -> int | float:
    """The amount as VTPass writes a JSON number: `100`, `4.85`.

    Floats appear only here, for display; all arithmetic stays in `Decimal`.
    """
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def plain_text(amount: Decimal) -> str:
    """The amount as VTPass writes it in `/pay` strings: `"100"`, `"27.75"`, `"27.5"`."""
    normal = amount.normalize()
    if normal == normal.to_integral_value():
        return str(int(normal))
    return format(normal, "f")


def money_text(amount: Decimal) -> str:
    """Two decimals, as in `variation_amount: "100.00"` and `rate: "1.50"`."""
    return format(round_naira(amount), "f")
