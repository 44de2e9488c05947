"""Where token state and rate-limit counters live: Redis, or this process on the embedded default.

Four things, all with a TTL so nothing needs sweeping:
- refresh-token families: family id -> the jti of its one live refresh token. Rotation is a
  compare-and-set; presenting any other jti of the family is reuse, and reuse deletes the
  family (every token minted from it dies, access tokens included). One exception, for a
  short grace after a rotation: the token just rotated out, presented again while its
  replacement is still live, is a repeat (a page reloaded mid-refresh lost the answer and
  resends the old cookie), answered with what the first rotation minted (its `memo`);
- a blacklist of revoked jtis (logout), each kept only until its token would expire anyway;
- each user's families, so suspending a user ends every session of theirs at once;
- fixed-window counters for rate limits.

Both implementations answer the same `TokenStore` protocol. The in-process one is right only for
one process; the embedded default is one process, and its JWT secret changes on every start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from cachetools import TLRUCache
from redis.asyncio import Redis

from gateway.clock import Clock


class Rotation(StrEnum):
    ROTATED = "rotated"  # the presented token was the live one; the new one is live now
    REPEATED = "repeated"  # the token just rotated out, within the grace: nothing changed
    REUSED = "reused"  # an older token of the family: the family is now revoked
    UNKNOWN = "unknown"  # no such family (revoked, logged out, or expired)


@dataclass(frozen=True, slots=True)
class Rotated:
    """What `rotate` did; on `REPEATED`, `memo` is what the first rotation was given."""

    outcome: Rotation
    memo: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    """A rate-limit counter after one hit: how many in this window, and when it resets."""

    count: int
    reset_in_s: int


class TokenStore(Protocol):
    async def open_family(
        self, family: str, jti: str, ttl_s: int, *, user_id: int | None = None
    ) -> None:
        """Start a refresh family whose live token is `jti`, listed under `user_id`."""
        ...

    async def revoke_user_families(self, user_id: int) -> int:
        """End every family opened for `user_id`; how many were listed."""
        ...

    async def rotate(
        self,
        family: str,
        presented: str,
        replacement: str,
        ttl_s: int,
        *,
        grace_s: float = 0.0,
        memo: str = "",
    ) -> Rotated:
        """Swap the live jti from `presented` to `replacement`, atomically; for `grace_s`
        seconds (on the store's clock) `presented` again, with `replacement` still live, is
        `REPEATED` and answers `memo`."""
        ...

    async def revoke_family(self, family: str) -> None: ...

    async def revoke_token(self, jti: str, ttl_s: int) -> None:
        """Blacklist `jti` for `ttl_s` seconds (the rest of its lifetime)."""
        ...

    async def is_revoked(self, jti: str, family: str) -> bool:
        """Whether `jti` is blacklisted or its family no longer exists (one round trip)."""
        ...

    async def hit(self, key: str, window_s: int) -> Hit:
        """Count one event on `key` in a fixed window of `window_s` seconds."""
        ...

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


# KEYS[1] family key, KEYS[2] its last rotation (a hash); ARGV presented jti, replacement jti,
# ttl (s), now (ms on the app's clock), grace (ms), memo. The hash's own TTL only tidies up:
# the grace is decided by `until` against the app's clock.
_ROTATE = """
local live = redis.call('GET', KEYS[1])
if not live then return {0, ''} end
if live ~= ARGV[1] then
  local last = redis.call('HMGET', KEYS[2], 'from', 'to', 'until', 'memo')
  if last[1] == ARGV[1] and last[2] == live and tonumber(last[3]) > tonumber(ARGV[4]) then
    return {3, last[4]}
  end
  redis.call('DEL', KEYS[1], KEYS[2])
  return {1, ''}
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
redis.call('DEL', KEYS[2])
if tonumber(ARGV[5]) > 0 then
  redis.call('HSET', KEYS[2], 'from', ARGV[1], 'to', ARGV[2], 'until', ARGV[4] + ARGV[5],
             'memo', ARGV[6])
  redis.call('EXPIRE', KEYS[2], math.ceil(ARGV[5] / 1000) + 60)
end
return {2, ''}
"""
# KEYS[1] counter; ARGV window
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""
# KEYS[1] the user's set of families; ARGV family key prefix, last-rotation key prefix
_REVOKE_USER = """
local families = redis.call('SMEMBERS', KEYS[1])
for _, family in ipairs(families) do redis.call('DEL', ARGV[1] .. family, ARGV[2] .. family) end
redis.call('DEL', KEYS[1])
return #families
"""
_ROTATIONS = {
    0: Rotation.UNKNOWN,
    1: Rotation.REUSED,
    2: Rotation.ROTATED,
    3: Rotation.REPEATED,
}


class RedisTokenStore:
    """The shared store: every gateway process sees the same families and counters."""

    def __init__(self, redis: Redis, prefix: str, *, clock: Clock) -> None:
        self._redis = redis
        self._clock = clock
        self._prefix = f"{prefix}api:"
        self._rotate = redis.register_script(_ROTATE)
        self._hit = redis.register_script(_HIT)
        self._revoke_user = redis.register_script(_REVOKE_USER)

    def _family(self, family: str) -> str:
        return f"{self._prefix}family:{family}"

    def _last_rotation(self, family: str) -> str:
        return f"{self._prefix}family-last:{family}"

    def _user_families(self, user_id: int) -> str:
        return f"{self._prefix}user-families:{user_id}"

    def _revoked(self, jti: str) -> str:
        return f"{self._prefix}revoked:{jti}"

    async def open_family(
        self, family: str, jti: str, ttl_s: int, *, user_id: int | None = None
    ) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._family(family), jti, ex=ttl_s)
            if user_id is not None:
                # the set lives as long as the newest family in it; dead members cost a DEL
                pipe.sadd(self._user_families(user_id), family)
                pipe.expire(self._user_families(user_id), ttl_s)
            await pipe.execute()

    async def revoke_user_families(self, user_id: int) -> int:
        result = await self._revoke_user(
            keys=[self._user_families(user_id)],
            args=[f"{self._prefix}family:", f"{self._prefix}family-last:"],
        )
        return int(result)

    async def rotate(
        self,
        family: str,
        presented: str,
        replacement: str,
        ttl_s: int,
        *,
        grace_s: float = 0.0,
        memo: str = "",
    ) -> Rotated:
        now_ms = int(self._clock.now().timestamp() * 1000)
        code, remembered = await self._rotate(
            keys=[self._family(family), self._last_rotation(family)],
            args=[presented, replacement, ttl_s, now_ms, int(grace_s * 1000), memo],
        )
        text = remembered.decode() if isinstance(remembered, bytes) else str(remembered or "")
        return Rotated(_ROTATIONS[int(code)], text)

    async def revoke_family(self, family: str) -> None:
        await self._redis.delete(self._family(family), self._last_rotation(family))

    async def revoke_token(self, jti: str, ttl_s: int) -> None:
        await self._redis.set(self._revoked(jti), b"1", ex=max(1, ttl_s))

    async def is_revoked(self, jti: str, family: str) -> bool:
        revoked, live = await self._redis.mget([self._revoked(jti), self._family(family)])
        return revoked is not None or live is None

    async def hit(self, key: str, window_s: int) -> Hit:
        count, ttl = await self._hit(keys=[f"{self._prefix}rate:{key}"], args=[window_s])
        return Hit(int(count), max(1, int(ttl)))

    async def clear(self, key: str) -> None:
        await self._redis.delete(f"{self._prefix}rate:{key}")

    async def close(self) -> None:
        """The Redis client belongs to `redis_ctx`, which closes it."""


class MemoryTokenStore:
    """The same semantics in `cachetools.TLRUCache`s on the injected clock; one process only
    (the embedded default).

    Each entry carries its own expiry (families, blacklisted jtis and counters live for
    different times), and every write drops what has expired, so memory stays bounded by what
    is live. Unbounded in count on purpose: evicting a live blacklist entry early would make a
    revoked token valid again. The event loop runs one coroutine at a time and none of these
    methods awaits, so each is atomic, like the Redis scripts.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        # the cached value is (payload, expires at); the timer is the injected clock
        self._families: TLRUCache[str, tuple[str, float]] = self._cache()
        # family -> ((rotated-out jti, its replacement, memo), end of the grace)
        self._last: TLRUCache[str, tuple[tuple[str, str, str], float]] = self._cache()
        self._revoked: TLRUCache[str, tuple[str, float]] = self._cache()
        self._counters: TLRUCache[str, tuple[int, float]] = self._cache()
        self._user_families: TLRUCache[int, tuple[frozenset[str], float]] = self._cache()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _cache(self) -> TLRUCache[Any, tuple[Any, float]]:
        return TLRUCache(math.inf, _expires_at, timer=self._now)

    async def open_family(
        self, family: str, jti: str, ttl_s: int, *, user_id: int | None = None
    ) -> None:
        expires_at = self._now() + ttl_s
        self._families[family] = (jti, expires_at)
        if user_id is not None:
            # as in Redis: the list lives as long as the newest family put in it
            listed, _ = self._user_families.get(user_id, (frozenset[str](), 0.0))
            self._user_families[user_id] = (listed | {family}, expires_at)

    async def revoke_user_families(self, user_id: int) -> int:
        families, _ = self._user_families.pop(user_id, (frozenset[str](), 0.0))
        for family in families:
            await self.revoke_family(family)
        return len(families)

    async def rotate(
        self,
        family: str,
        presented: str,
        replacement: str,
        ttl_s: int,
        *,
        grace_s: float = 0.0,
        memo: str = "",
    ) -> Rotated:
        entry = self._families.get(family)
        if entry is None:
            return Rotated(Rotation.UNKNOWN)
        live = entry[0]
        if live != presented:
            last = self._last.get(family)
            if last is not None and last[0][:2] == (presented, live):
                return Rotated(Rotation.REPEATED, last[0][2])
            await self.revoke_family(family)
            return Rotated(Rotation.REUSED)
        now = self._now()
        self._families[family] = (replacement, now + ttl_s)
        self._last.pop(family, None)
        if grace_s > 0:
            self._last[family] = ((presented, replacement, memo), now + grace_s)
        return Rotated(Rotation.ROTATED)

    async def revoke_family(self, family: str) -> None:
        self._families.pop(family, None)
        self._last.pop(family, None)

    async def revoke_token(self, jti: str, ttl_s: int) -> None:
        self._revoked[jti] = ("1", self._now() + max(1, ttl_s))

    async def is_revoked(self, jti: str, family: str) -> bool:
        return jti in self._revoked or family not in self._families

    async def hit(self, key: str, window_s: int) -> Hit:
        now = self._now()
        count, reset_at = self._counters.get(key, (0, now + window_s))
        self._counters[key] = (count + 1, reset_at)
        return Hit(count + 1, max(1, round(reset_at - now)))

    async def clear(self, key: str) -> None:
        self._counters.pop(key, None)

    async def close(self) -> None:
        for cache in (
            self._families,
            self._last,
            self._revoked,
            self._counters,
            self._user_families,
        ):
            cache.clear()


def _expires_at(_key: object, entry: tuple[object, float], _now: float) -> float:
    """`TLRUCache`'s time-to-use: the expiry each entry carries."""
    return entry[1]
