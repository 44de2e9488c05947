"""Login rate limits: per account (however it is named) and per client IP, fixed windows.

Every attempt is counted before the password is checked, so a flood of guesses costs the
attacker a 429 and us no argon2 work. A successful login clears the account's counter (a
user who mistyped twice starts over) but not the IP's: many Nigerian subscribers share a
carrier-grade NAT address, so the per-IP limit is generous and only stops bulk guessing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from gateway.api.errors import RateLimited
from gateway.api.tokens_store import TokenStore


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    max_hits: int
    window_s: int


def _key(limit: Limit, subject: str) -> str:
    # hashed: counters name no phone, email or address in Redis
    digest = hashlib.sha256(subject.lower().encode()).hexdigest()[:32]
    return f"{limit.name}:{digest}"


async def enforce(store: TokenStore, checks: list[tuple[Limit, str]]) -> None:
    """Count one hit on each (limit, subject); raise `RateLimited` if any is over.

    Raises:
        RateLimited: with `Retry-After` = the longest wait among the limits exceeded.
    """
    waits = []
    for limit, subject in checks:
        hit = await store.hit(_key(limit, subject), limit.window_s)
        if hit.count > limit.max_hits:
            waits.append(hit.reset_in_s)
    if waits:
        raise RateLimited("too many attempts; try again later", retry_after_s=max(waits))


async def reset(store: TokenStore, limit: Limit, subject: str) -> None:
    await store.clear(_key(limit, subject))
