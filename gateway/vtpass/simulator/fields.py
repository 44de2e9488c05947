"""JSON objects in and out: reading request fields the way VTPass tolerates them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JSONObject = dict[str, Any]  # a decoded or to-be-encoded JSON object


def text_field(body: Mapping[str, Any], name: str) -> str | None:
    """The field as stripped text, or None when absent, empty or not a string/number."""
    value = body.get(name)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | str):
        text = str(value).strip()
        return text or None
    return None


def missing_fields(body: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    """The names among `names` whose value is absent or empty, in order."""
    return [n for n in names if _absent(body.get(n))]


def _absent(value: object) -> bool:
    # Objects, lists and booleans are no better than nothing for a scalar field.
    if value is None or isinstance(value, bool | dict | list):
        return True
    return isinstance(value, str) and not value.strip()
