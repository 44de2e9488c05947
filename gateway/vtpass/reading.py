"""Lenient readers for VTPass JSON: the drift of vtpass.md §9 absorbed in one place.

Never trust a JSON type: numbers arrive as strings and back, flags as `"true"`. Never raise on
an odd *value*: it becomes None (`"N/A"`, `"null"` and `""` mean nothing). Only an unreadable
*shape* raises `MalformedResponse`. Shared by the answer, pay-result and webhook parsers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.clock import LAGOS
from gateway.errors import UpstreamRejected
from gateway.money import Kobo, naira_to_kobo


class MalformedResponse(ValueError):
    """A body whose shape cannot be read at all (not JSON, or not the documented structure)."""


# --- lenient scalars -----------------------------------------------------------------------

_NULLISH = frozenset({"", "n/a", "na", "null", "none", "nil", "undefined"})
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_CURRENCY = re.compile(r"^(?:₦|NGN|N)\s*", re.IGNORECASE)


def read_text(value: object) -> str | None:
    """A stripped string, or None for null-ish values; numbers become their decimal text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        return None if text.lower() in _NULLISH else text
    return None


def read_kobo(value: object) -> Kobo | None:
    """A naira figure (`"100.00"`, `27.75`, `"N1,500"`) as kobo, or None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = _CURRENCY.sub("", value.strip()).replace(",", "")
        if value.lower() in _NULLISH:
            return None
    if not isinstance(value, str | int | float):
        return None
    try:
        return naira_to_kobo(value)
    except ValueError:
        return None


def read_flag(value: object) -> bool | None:
    """`true`, `"true"`, `1`, `"yes"` -> True; their opposites -> False; anything else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def read_code(value: object) -> str | None:
    """A response code as VTPass's three digits: `0` -> `"000"`, `"16"` -> `"016"`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return f"{value:03d}"
    text = read_text(value)
    if text is not None and text.isdigit() and len(text) <= 3:
        return text.zfill(3)
    return text


def read_mapping(value: object) -> Mapping[str, Any]:
    value = unwrap_json(value)
    return value if isinstance(value, Mapping) else {}


def unwrap_json(value: object) -> object:
    """Decode a JSON document smuggled inside a string (WAEC `cards` sometimes is one)."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def read_items(value: object) -> list[Any]:
    value = unwrap_json(value)
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def first_text(obj: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        text = read_text(obj.get(key))
        if text is not None:
            return text
    return None


def decode_json(content: bytes | str) -> Any:
    """Decode a response body; raise `MalformedResponse` saying why it could not be read."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if not text.strip():
        raise MalformedResponse("empty body")
    try:
        return json.loads(text)
    except RecursionError:  # nested past the parser's stack: unreadable, not a crash
        raise MalformedResponse("body is nested too deeply") from None
    except ValueError:
        head = text.lstrip()[:15].lower()
        kind = "an HTML page" if head.startswith(("<!doctype", "<html")) else "not JSON"
        raise MalformedResponse(f"body is {kind}") from None


def require_mapping(body: object, what: str) -> Mapping[str, Any]:
    if isinstance(body, bytes | str):
        body = decode_json(body)
    if not isinstance(body, Mapping):
        raise MalformedResponse(f"{what}: expected a JSON object, got {type(body).__name__}")
    return body


def describe(obj: Mapping[str, Any]) -> str:
    """The most useful words VTPass gave: description text, else `content.errors`/`error`."""
    description = read_text(obj.get("response_description"))
    if description is not None and not description.isdigit():
        return description
    content = read_mapping(obj.get("content"))
    errors = content.get("errors", content.get("error"))
    parts = [t for t in (read_text(e) for e in read_items(errors)) if t]
    return "; ".join(parts) or "no description"


def refusal(obj: Mapping[str, Any], what: str, code: str | None) -> UpstreamRejected:
    return UpstreamRejected(f"VTPass refused {what}: {code} {describe(obj)}", upstream_code=code)


# --- dates -------------------------------------------------------------------------------------


def parse_transaction_date(value: object) -> datetime | None:
    """`transaction_date` in any of its three shapes -> an aware datetime (None for null/garbage).

    ISO-8601 UTC string (current), `{"date": "...", "timezone": "Africa/Lagos"}` (old), or null
    (webhooks). A naive string is read as Lagos time, VTPass's home zone.
    """
    zone: tzinfo = LAGOS
    if isinstance(value, Mapping):
        zone = _zone(read_text(value.get("timezone")))
        value = value.get("date")
    text = read_text(value)
    if text is None:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _zone(name: str | None) -> tzinfo:
    if name is None or name == "Africa/Lagos":
        return LAGOS
    if name.upper() in {"UTC", "Z", "GMT"}:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return LAGOS
