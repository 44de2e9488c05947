"""Time on the wire: one timestamp format out, and date-or-timestamp filters in.

Every timestamp the API sends is RFC 3339 in UTC with milliseconds and `Z`
(`2026-12-01T09:30:00.000Z`), the format of JavaScript's `Date.prototype.toISOString()`, so
the web app can compare them as strings. A date filter may be a calendar day (`2026-12-01`),
read as that day in Lagos, or a timestamp with a timezone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import AwareDatetime, PlainSerializer, PlainValidator, TypeAdapter, WithJsonSchema

from gateway.clock import LAGOS

TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"
TIMESTAMP_EXAMPLE = "2026-12-01T09:30:00.000Z"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_AWARE = TypeAdapter(AwareDatetime)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def format_timestamp(value: datetime) -> str:
    """`value` as `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC (a naive value is taken as UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return (
        aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{aware.microsecond // 1000:03d}Z"
    )


Timestamp = Annotated[
    datetime,
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": TIMESTAMP_PATTERN,
            "examples": [TIMESTAMP_EXAMPLE],
            "description": "RFC 3339, UTC, milliseconds, `Z`.",
        },
        mode="serialization",
    ),
]


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+01:00 lies before any datetime: as a bound it means "no bound"
        return _EARLIEST if value.year == 1 else _LATEST


def _date_or_time(value: object) -> date | datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a timestamp needs a timezone, e.g. 2026-12-01T00:00:00Z")
        return _to_utc(value)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("use a date (2026-12-01) or a timestamp with a timezone")
    if _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("not a calendar date") from None
    if "T" not in value and "t" not in value:
        # pydantic would read "0.5" as a Unix time: only dates and RFC 3339 timestamps here
        raise ValueError("use a date (2026-12-01) or a timestamp such as 2026-12-01T00:00:00Z")
    try:
        parsed = _AWARE.validate_python(value)
    except ValueError:
        raise ValueError(
            "use a date (2026-12-01) or a timestamp with a timezone (2026-12-01T00:00:00Z)"
        ) from None
    return _to_utc(parsed)


_DATE_OR_TIME_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
    ],
}
DateOrTime = Annotated[
    date | datetime,
    PlainValidator(_date_or_time),
    WithJsonSchema(_DATE_OR_TIME_SCHEMA, mode="validation"),
]


def lagos_midnight(day: date) -> datetime:
    """The first instant of `day` in Lagos, in UTC (clamped at the ends of the calendar)."""
    return _to_utc(datetime.combine(day, time(), tzinfo=LAGOS))


def lower_bound(value: date | datetime | None) -> datetime | None:
    """An inclusive `from`: a day starts at its Lagos midnight."""
    if value is None or isinstance(value, datetime):
        return value
    return lagos_midnight(value)


def upper_bound(value: date | datetime | None) -> datetime | None:
    """An exclusive `to`: a day is included whole, so the bound is the next Lagos midnight."""
    if value is None or isinstance(value, datetime):
        return value
    if value == date.max:
        return _LATEST
    return lagos_midnight(value + timedelta(days=1))
