"""Session stores: Redis (production) and in-process (the embedded default), same contract.

Both keep one `SessionRecord` per channel session under `<prefix>conv:<channel>:<session id>`
with a TTL (180 s, the telco's own session limit), plus small side records (a staged PIN, a
dropped session kept for resuming) under `<prefix>conv:<name>`.

Why a revision check: two hops of one session can run at once (a telco retry while the first
is still being answered). Each save names the revision it loaded; the store writes only if
that is still the stored one and bumps it, so exactly one of two racing hops lands and the
other gets `StaleRevision`. In Redis that compare-and-set is one Lua script, which reads `rev`
from the front of the JSON (`record.encode` puts it there) instead of decoding it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from redis.asyncio import Redis

from gateway.conversations.record import RECORD_VERSION, SessionRecord, decode, encode


class StaleRevision(Exception):
    """Another hop saved this session after it was loaded; this save was refused."""


class SessionStore(Protocol):
    """Where conversations live between hops."""

    async def load(self, channel: str, session_id: str) -> SessionRecord | None:
        """The record, or None if there is none (expired, never made, unreadable)."""
        ...

    async def save(self, channel: str, session_id: str, record: SessionRecord) -> None:
        """Store `record` as revision `record.rev` if the stored one is still `record.rev - 1`
        (0: none stored). Raises `StaleRevision` otherwise."""
        ...

    async def put(self, name: str, value: bytes, ttl_s: float) -> None:
        """Set a side record with a TTL."""
        ...

    async def get(self, name: str) -> bytes | None: ...

    async def exchange(
        self,
        name: str,
        updates: Mapping[str, bytes],
        removals: Sequence[str],
        ttl_s: float,
    ) -> dict[str, bytes]:
        """On a side record of fields: read them all, then set `updates`, drop `removals`
        and renew the TTL, in one atomic step. Returns the fields as they were."""
        ...

    async def delete(self, name: str) -> None: ...


# KEYS[1] record; ARGV: expected rev, new JSON, TTL ms, the pattern that reads a stored rev.
# A record of another version (or garbage) counts as absent, i.e. revision 0.
_CAS = """
local stored = redis.call('GET', KEYS[1])
local rev = 0
if stored then
  rev = tonumber(string.match(stored, ARGV[4]) or '0')
end
if rev ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""
_REV_PATTERN = f'^{{"rev":(%d+),"v":{RECORD_VERSION},'

# KEYS[1] a field record; ARGV: TTL ms, n, n field/value pairs, then fields to delete.
# One script rather than a MULTI pipeline: one command to pack and one reply to parse.
_EXCHANGE = """
local before = redis.call('HGETALL', KEYS[1])
local n = tonumber(ARGV[2])
for i = 0, n - 1 do
  redis.call('HSET', KEYS[1], ARGV[3 + 2 * i], ARGV[4 + 2 * i])
end
for i = 3 + 2 * n, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return before
"""


class DecodedCache:
    """The records this process saved last, by key, so loading them back skips the JSON decode.

    Why: a session's next hop usually lands on the process that saved it, and decoding and
    validating the conversation is most of a menu hop's CPU. A hit needs the stored bytes to be
    identical to what was saved here, so a write by any other process is simply decoded.
    Records are immutable, so sharing them is safe. Bounded, least recently saved out first.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: OrderedDict[str, tuple[bytes, SessionRecord]] = OrderedDict()

    def remember(self, key: str, raw: bytes, record: SessionRecord) -> None:
        self._items[key] = (raw, record)
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def decode(self, key: str, raw: bytes | None) -> SessionRecord | None:
        if raw is None:
            self._items.pop(key, None)
            return None
        known = self._items.get(key)
        if known is not None and known[0] == raw:
            return known[1]
        return _decode(raw)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisSessionStore:
    """Records as JSON strings with `PX` expiry; saves go through the `_CAS` script."""

    def __init__(self, redis: Redis, prefix: str, ttl_s: float = 180.0) -> None:
        self._redis = redis
        self._prefix = f"{prefix}conv:"
        self._ttl_ms = _ms(ttl_s)
        self._cas = redis.register_script(_CAS)
        self._exchange = redis.register_script(_EXCHANGE)
        self._decoded = DecodedCache()

    def _key(self, channel: str, session_id: str) -> str:
        return f"{self._prefix}{channel}:{session_id}"

    async def load(self, channel: str, session_id: str) -> SessionRecord | None:
        key = self._key(channel, session_id)
        return self._decoded.decode(key, _bytes(await self._redis.get(key)))

    async def save(self, channel: str, session_id: str, record: SessionRecord) -> None:
        key, raw = self._key(channel, session_id), encode(record)
        args: list[bytes | int | str] = [record.rev - 1, raw, self._ttl_ms, _REV_PATTERN]
        if not await self._cas(keys=[key], args=args):
            raise StaleRevision(session_id)
        self._decoded.remember(key, raw, record)

    async def put(self, name: str, value: bytes, ttl_s: float) -> None:
        await self._redis.set(self._prefix + name, value, px=_ms(ttl_s))

    async def get(self, name: str) -> bytes | None:
        return _bytes(await self._redis.get(self._prefix + name))

    async def exchange(
        self,
        name: str,
        updates: Mapping[str, bytes],
        removals: Sequence[str],
        ttl_s: float,
    ) -> dict[str, bytes]:
        pairs = [item for field_name, value in updates.items() for item in (field_name, value)]
        args: list[bytes | int | str] = [_ms(ttl_s), len(updates), *pairs, *removals]
        flat = await self._exchange(keys=[self._prefix + name], args=args)
        return {_text(flat[i]): flat[i + 1] for i in range(0, len(flat) - 1, 2)}

    async def delete(self, name: str) -> None:
        await self._redis.delete(self._prefix + name)


class MemorySessionStore:
    """The same contract in one process's memory (no awaits inside, so no locks needed).

    `now` is a monotonic clock in seconds (tests pass their own). Expired entries are dropped
    when read and swept every `sweep_every` writes, so memory follows the live sessions.
    """

    def __init__(
        self,
        ttl_s: float = 180.0,
        *,
        now: Callable[[], float] = time.monotonic,
        sweep_every: int = 1000,
    ) -> None:
        self._ttl = ttl_s
        self._now = now
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._fields: dict[str, tuple[float, dict[str, bytes]]] = {}
        self._decoded = DecodedCache()
        self._writes = 0
        self._sweep_every = sweep_every

    def __len__(self) -> int:
        return len(self._entries) + len(self._fields)

    def _read(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._now():
            del self._entries[key]
            return None
        return entry[1]

    def _write(self, key: str, value: bytes, ttl_s: float) -> None:
        self._entries[key] = (self._now() + ttl_s, value)
        self._count_write()

    def _count_write(self) -> None:
        self._writes += 1
        if self._writes % self._sweep_every == 0:
            now = self._now()
            for stale in [k for k, (expires, _) in self._entries.items() if expires <= now]:
                del self._entries[stale]
            for gone in [k for k, (expires, _) in self._fields.items() if expires <= now]:
                del self._fields[gone]

    async def load(self, channel: str, session_id: str) -> SessionRecord | None:
        key = f"{channel}:{session_id}"
        return self._decoded.decode(key, self._read(key))

    async def save(self, channel: str, session_id: str, record: SessionRecord) -> None:
        key = f"{channel}:{session_id}"
        current = self._decoded.decode(key, self._read(key))
        if (0 if current is None else current.rev) != record.rev - 1:
            raise StaleRevision(session_id)
        raw = encode(record)
        self._write(key, raw, self._ttl)
        self._decoded.remember(key, raw, record)

    async def put(self, name: str, value: bytes, ttl_s: float) -> None:
        self._write(f"side:{name}", value, ttl_s)

    async def get(self, name: str) -> bytes | None:
        return self._read(f"side:{name}")

    async def exchange(
        self,
        name: str,
        updates: Mapping[str, bytes],
        removals: Sequence[str],
        ttl_s: float,
    ) -> dict[str, bytes]:
        entry = self._fields.get(name)
        before = dict(entry[1]) if entry is not None and entry[0] > self._now() else {}
        after = {**before, **updates}
        for field_name in removals:
            after.pop(field_name, None)
        self._fields[name] = (self._now() + ttl_s, after)
        self._count_write()
        return before

    async def delete(self, name: str) -> None:
        self._entries.pop(f"side:{name}", None)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _bytes(value: object) -> bytes | None:
    """Redis answers bytes (the client never decodes); anything else means no value."""
    if isinstance(value, bytes):
        return value
    return value.encode() if isinstance(value, str) else None


def _decode(raw: bytes | None) -> SessionRecord | None:
    if raw is None:
        return None
    try:
        return decode(raw)
    except ValueError:
        return None  # another schema or a hand edit: start over rather than fail the hop
