"""A fixed-window request limit per source address, for the webhook route.

In Redis when configured (so every gateway process shares the count), else in this process.
Paystack sends from three addresses, so the limit is generous: it stops a flood of forgeries
from costing an HMAC each without ever slowing Paystack's own bursts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from cachetools import TTLCache
from redis.asyncio import Redis

from gateway.clock import Clock
from gateway.group_commit import GroupCommit


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
        self._hits = GroupCommit(
            self._count_batch, name="paystack-webhook-hits", max_batch=1024, same_turn=True
        )

    async def drain(self) -> None:
        """Wait for the counts in flight (shutdown, before the Redis client closes)."""
        await self._hits.drain()

    async def allow(self, subject: str) -> bool:
        """Count one hit for `subject`; False once it is over the limit in this window."""
        window = int(self._clock.now().timestamp() // self._window)
        if self._redis is None:
            count = self._local.get((subject, window), 0) + 1
            self._local[subject, window] = count
            return count <= self._max
        count = await self._hits(f"{self._prefix}{subject}:{window}")
        return count <= self._max

    async def _count_batch(self, keys: Sequence[str]) -> list[int]:
        """Count a batch of hits in one pipeline; each hit gets its own running count."""
        assert self._redis is not None  # noqa: S101 - only called with Redis
        wanted = Counter(keys)
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, hits in wanted.items():
                pipe.incrby(key, hits)
                pipe.expire(key, self._window * 2)
            answers = await pipe.execute()
        # the last of a key's hits in this batch has the total; the ones before count down
        after = {key: int(total) for key, total in zip(wanted, answers[::2], strict=True)}
        counts = []
        for key in reversed(keys):
            counts.append(after[key])
            after[key] -= 1
        return counts[::-1]
