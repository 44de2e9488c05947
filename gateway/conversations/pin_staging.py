"""The first PIN entry, staged for the second to match, without ever storing the PIN.

Why: setting or changing a PIN takes two hops, and the engine never keeps a PIN in the
conversation. So the first entry is kept as HMAC(staging key, session seed + PIN) in a short-
lived side record beside the session; the second entry matches only if it hashes the same. The
key is derived from the server secret for this purpose alone, so the record cannot be
brute-forced from a Redis dump, and the seed makes it useless outside its session.
"""

from __future__ import annotations

import hmac

from gateway.conversations.config import keyed_hash
from gateway.conversations.sessions import SessionStore


class PinStaging:
    """`stage` the first entry, then `matches` the second; `drop` once used."""

    def __init__(self, store: SessionStore, key: bytes, ttl_s: float = 180.0) -> None:
        self._store = store
        self._key = key
        self._ttl_s = ttl_s

    @staticmethod
    def _name(channel: str, session_id: str) -> str:
        return f"{channel}:pin:{session_id}"

    def _digest(self, seed: str, pin: str) -> bytes:
        return keyed_hash(self._key, seed, pin).encode()

    async def stage(self, channel: str, session_id: str, seed: str, pin: str) -> None:
        await self._store.put(self._name(channel, session_id), self._digest(seed, pin), self._ttl_s)

    async def matches(self, channel: str, session_id: str, seed: str, pin: str) -> bool:
        """Whether `pin` equals the staged entry (False when nothing is staged)."""
        staged = await self._store.get(self._name(channel, session_id))
        return staged is not None and hmac.compare_digest(staged, self._digest(seed, pin))

    async def drop(self, channel: str, session_id: str) -> None:
        await self._store.delete(self._name(channel, session_id))
