"""What the SMS channel remembers between messages: AT ids already answered, and how many
messages each phone sent lately.

Why: Africa's Talking may deliver one message twice (its `id` is the same), and a handset that
answers every SMS automatically would loop with our replies, each one paid for. So each `id` is
claimed once for a day, and each phone has a fixed-window counter; both live in Redis when it
is configured (every gateway process sees them), else in this process (the embedded default).
Keys are hashes: Redis never holds a phone number or an AT id in the clear.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from cachetools import TLRUCache, TTLCache
from redis.asyncio import Redis

from gateway.clock import Clock

SEEN_TTL_S = 24 * 3600  # AT retries within minutes; a day is plenty
MAX_REMEMBERED = 200_000  # in-process only: the oldest are forgotten first beyond this


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class InboundGate(Protocol):
    async def claim(self, delivery_id: str) -> bool:
        """True the first time `delivery_id` is claimed (for a day), False after."""
        ...

    async def release(self, delivery_id: str) -> None:
        """Forget a claim (the message could not be handled; a retry may try again)."""
        ...

    async def hit(self, phone: str, window_s: int) -> int:
        """Count one message from `phone`; how many in its current window, this one included."""
        ...


# KEYS[1] counter; ARGV window: a fixed window that starts with its first hit
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
return n
"""


class RedisInboundGate:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}sms-in:"
        self._hit = redis.register_script(_HIT)

    async def claim(self, delivery_id: str) -> bool:
        key = f"{self._prefix}seen:{digest(delivery_id)}"
        return bool(await self._redis.set(key, b"1", nx=True, ex=SEEN_TTL_S))

    async def release(self, delivery_id: str) -> None:
        await self._redis.delete(f"{self._prefix}seen:{digest(delivery_id)}")

    async def hit(self, phone: str, window_s: int) -> int:
        key = f"{self._prefix}rate:{digest(phone)}"
        return int(await self._hit(keys=[key], args=[window_s]))


class MemoryInboundGate:
    """The same in this process, on the injected clock; each method is atomic (none awaits)."""

    def __init__(self, clock: Clock, maxsize: int = MAX_REMEMBERED) -> None:
        def timer() -> float:
            return clock.now().timestamp()

        self._seen: TTLCache[str, bool] = TTLCache(maxsize, SEEN_TTL_S, timer=timer)
        # (count, end of window): each counter expires when its own window ends
        self._counts: TLRUCache[str, tuple[int, float]] = TLRUCache(
            maxsize, lambda _key, value, _now: value[1], timer=timer
        )
        self._now = timer

    async def claim(self, delivery_id: str) -> bool:
        key = digest(delivery_id)
        if key in self._seen:
            return False
        self._seen[key] = True
        return True

    async def release(self, delivery_id: str) -> None:
        self._seen.pop(digest(delivery_id), None)

    async def hit(self, phone: str, window_s: int) -> int:
        key = digest(phone)
        count, ends = self._counts.get(key, (0, self._now() + window_s))
        self._counts[key] = (count + 1, ends)
        return count + 1
