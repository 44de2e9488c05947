"""A fixed-window request limit per source address, for the webhook route.

In Redis when configured (so every gateway process shares the count), else in this process.
Paystack sends from three addresses, so the limit is generous: it stops a flood of forgeries
from costing an HMAC each without ever slowing Paystack's own bursts.
"""

from __future__ import annotations

from cachetools import TTLCache
from redis.asyncio import Redis

from gateway.clock import Clock


class WindowLimit:
    def __init__(
        self,
        max_hits: int,
        clock: Clock,
        window_s: int = 60,
        *,
        redis: Redis | None = None,
        prefix: str = "",
    ) -> None:
        self._clock = clock
        self._max = max_hits
        self._window = window_s
        self._redis = redis
        self._prefix = f"{prefix}paystack:webhook-hits:"
        self._local: TTLCache[tuple[str, int], int] = TTLCache(
            maxsize=10_000, ttl=window_s * 2, timer=lambda: clock.now().timestamp()
        )

    async def allow(self, subject: str) -> bool:
        """Count one hit for `subject`; False once it is over the limit in this window."""
        window = int(self._clock.now().timestamp() // self._window)
        if self._redis is None:
            count = self._local.get((subject, window), 0) + 1
            self._local[subject, window] = count
            return count <= self._max
        key = f"{self._prefix}{subject}:{window}"
        count = int(await self._redis.incr(key))
        if count == 1:  # the window's first hit sets its expiry: one round trip for the rest
            await self._redis.expire(key, self._window * 2)
        return count <= self._max
