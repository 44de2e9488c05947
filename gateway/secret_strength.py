"""What makes a configured secret too weak to start with: the one rule for every key and token.

Pure: it says what is wrong in words that never quote the value, and settings.py names the
variable. Generated secrets pass with a wide margin (`secrets.token_urlsafe(32)`: 43 characters
of 64 kinds); the rules refuse what people type by hand: short words, `xxxx…`, `abcabc…`.
"""

from __future__ import annotations

import re
from collections import Counter

KEY_MIN_LENGTH = 32  # HMAC keys (JWT, PIN pepper): 256 bits of text or more
# A path token is sent by the caller on every callback, so it only has to be unguessable:
# 24 URL-safe characters of random text is ~144 bits, far past any online guessing.
PATH_TOKEN_MIN_LENGTH = 24
MIN_DISTINCT = 10
PATH_SAFE = re.compile(r"[A-Za-z0-9._~-]+")  # RFC 3986 unreserved: the segment as written


def weakness(value: str, min_length: int, *, path_segment: bool = False) -> str | None:
    """Why `value` is too weak to use, or None; the reason never contains the value."""
    if len(value) < min_length:
        return f"must be at least {min_length} characters (got {len(value)})"
    if path_segment and not PATH_SAFE.fullmatch(value):
        return "must use only letters, digits and . _ ~ - (it is a URL path segment)"
    counts = Counter(value)
    if len(counts) < MIN_DISTINCT:
        return f"has too little variety (fewer than {MIN_DISTINCT} different characters)"
    if max(counts.values()) * 3 > len(value):
        return "is mostly one repeated character"
    if _has_short_period(value):
        return "is one short pattern repeated"
    return None


def _has_short_period(value: str) -> bool:
    # `abcdefghij` * 4 (or with a partial tail) has a period of at most half its length
    return any(value[p:] == value[:-p] for p in range(1, len(value) // 2 + 1))
