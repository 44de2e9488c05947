"""Secret path tokens (VTPass's webhook, Africa's Talking's callbacks): one constant-time check.

Digests of equal length are compared, so a response's timing tells neither how much of a
guess was right nor how long the token is; no token configured matches nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from gateway.settings import Secret


def token_matches(given: str, expected: Secret | None) -> bool:
    """Whether `given` is the configured token; always False when none is configured."""
    want = hashlib.sha256((expected.value if expected is not None else "").encode()).digest()
    got = hashlib.sha256(given.encode()).digest()
    same = hmac.compare_digest(got, want)
    return expected is not None and same
