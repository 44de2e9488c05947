"""`scrub`: the one redaction applied to JSON bodies before they are stored or logged.

VTPass echoes request fields back, and an audit copy is kept for years: a body that carried
an API key or a password must lose it before it leaves memory. Keys are compared
case-insensitively with `_` read as `-`, at any depth, inside lists and tuples too. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# compared after lower-casing and turning "_" into "-"
SECRET_KEYS = frozenset(
    {
        "api-key",
        "apikey",
        "secret-key",
        "secretkey",
        "public-key",
        "publickey",
        "authorization",
        "password",
        "basic-pass",
        "token-secret",
    }
)


def is_secret_key(key: object) -> bool:
    """Whether a JSON key names a credential (`api_key`, `Secret-Key`, `Authorization`, ...)."""
    return str(key).lower().replace("_", "-") in SECRET_KEYS


def scrub(value: Any) -> Any:
    """A copy of a JSON value with every credential-looking key removed, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): scrub(v) for k, v in value.items() if not is_secret_key(k)}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value
