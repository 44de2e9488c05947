"""Timings of conversation sessions, and the keys derived from the server secret.

Why derived keys: the hashes kept beside a session (a hop's text, a staged PIN, a phone number
in a key name) must be keyed, or a 4-digit PIN could be read back by hashing 10,000 guesses.
Each use gets its own key, derived from `PAYLINK_JWT_SECRET` with a distinct context, so no
hash made here can ever stand in for a JWT signature or for another kind of hash.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from gateway.settings import Secret


@dataclass(frozen=True, slots=True)
class ConversationConfig:
    """Tuning knobs; the defaults follow Africa's Talking (180 s sessions) and issue 4.

    `app[conversations_config_key]` overrides them (tests shorten the TTLs).
    """

    session_ttl_s: float | None = None  # None: each channel's own (its profile); tests shorten it
    resume_window_s: float = 120.0  # a dropped session is offered back for this long
    line_ttl_s: float = 300.0  # what is kept per phone between sessions (see `lines.py`)
    pin_staging_ttl_s: float = 180.0
    max_rounds: int = 2  # effect results fed back per hop (engine contract: one suffices)
    catalogue_min_ttl_s: float = 30.0  # floor for rebuilding the menu snapshot
    sandbox_numbers: bool = False  # recipients may be sandbox scenario numbers (not live)
    # how to fund a wallet, on "not enough money" screens of every channel; None: each
    # channel's own words (`gateway.funding.shared_hint`)
    funding_hint: str | None = None


def derive_key(secret: Secret, context: str) -> bytes:
    """A 32-byte key for one purpose: HMAC-SHA256(secret, "paylink/" + context)."""
    return hmac.digest(secret.value.encode(), f"paylink/{context}".encode(), "sha256")


def keyed_hash(key: bytes, *parts: str) -> str:
    """A short keyed digest (32 hex) of `parts`, unambiguous however they split.

    Keyed BLAKE2b, which is a MAC by design, in one call: HMAC-SHA256 through OpenSSL cost a
    USSD menu hop about 2 % of its work (bench/RESULTS.md). What it keys is short-lived (a
    session's last delivery, a staged PIN, a phone line's key), so a change of algorithm only
    starts conversations in flight over.
    """
    return hashlib.blake2b("\x1f".join(parts).encode(), key=key, digest_size=16).hexdigest()
