"""Paystack's webhook signature: hex HMAC-SHA512 of the raw body, keyed with the secret key.

The raw bytes received are hashed, never a re-serialisation (paystack.md §3.2), and the
comparison is constant-time so a forger learns nothing from how long a refusal took.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "x-paystack-signature"


def sign(secret_key: str, body: bytes) -> str:
    """The signature Paystack sends with `body`."""
    return hmac.new(secret_key.encode(), body, hashlib.sha512).hexdigest()


def signature_matches(secret_key: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is the signature of `body`; a missing header never matches."""
    if not header:
        return False
    return hmac.compare_digest(sign(secret_key, body), header.strip().lower())
