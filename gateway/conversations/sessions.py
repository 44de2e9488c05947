"""Session stores: Redis (production) and in-process (the embedded default), same contract.

Both keep one `SessionRecord` per channel session under `<prefix>conv:<channel>:<session id>`
with a TTL (180 s, the telco's own session limit), plus small side records (a staged PIN, a
phone line's state) under `<prefix>conv:side:<name>`: a namespace of their own, so no session
id a caller sends (say `pin:<someone else's session>`) can name a side record.

Why a revision check: two hops of one session can run at once (a telco retry while the first
is still being answered). Each save names the revision it loaded; the store writes only if
that is still the stored one and bumps it, so exactly one of two racing hops lands and the
other gets `StaleRevision`, which carries the record that is stored instead. In Redis that
compare-and-set is one Lua script, which reads `rev` from the front of the JSON
(`record.encode` puts it there) instead of decoding it, and answers a refusal with the stored
record, so a refused save costs no second round trip.

Every message loads its record from the store: a process-local copy that spared that read was
measured at no gain on the menu journey (bench/RESULTS.md, "Optimisations audited") and cost
the coordinator a second, "fresh" read before acting, so it went. What stays is recognising
bytes read back that are identical to a record this process saved or read (`DecodedRecords`):
that read costs no JSON decode. The coordinator sees only `load() -> (record, version)` and
`save(version, record)`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol

import cachetools
from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from gateway.conversations.record import RECORD_VERSION, SessionRecord, decode, encode
from gateway.store.redis_pipeline import AutoPipeline, shared_pipeline


class StaleRevision(Exception):
    """Another hop saved this session after it was loaded; this save was refused.

    `current` is what the store held when it refused (None: nothing, or unreadable).
    """

    def __init__(self, session_id: str, current: SessionRecord | None = None) -> None:
        super().__init__(session_id)
        self.current = current


@dataclass(frozen=True, slots=True)
class Version:
    """What a save must find stored: revision `rev` (0: nothing)."""

    rev: int


NEW = Version(0)  # a conversation under a new key: nothing may be stored yet


class LostRace(Exception):
    """Another message saved this conversation first; `record`/`version`: what is stored now."""

    def __init__(self, record: SessionRecord | None, version: Version) -> None:
        super().__init__("lost race")
        self.record = record
        self.version = version


class SessionStore(Protocol):
    """Where conversations live between hops."""

    async def load(self, channel: str, session_id: str) -> SessionRecord | None:
        """The record, or None if there is none (expired, never made, unreadable)."""
        ...

    async def save(
        self, channel: str, session_id: str, record: SessionRecord, ttl_s: float | None = None
    ) -> None:
        """Store `record` as revision `record.rev` if the stored one is still `record.rev - 1`
        (0: none stored), for `ttl_s` (default: the store's). Raises `StaleRevision` (with the
        stored record) otherwise."""
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

    async def repoint(
        self, name: str, channel: str, session_id: str, removals: Sequence[str], ttl_s: float
    ) -> tuple[dict[str, bytes], SessionRecord | None]:
        """`exchange(name, {"sid": session_id}, removals, ttl_s)`, and in the same step the
        session record of `channel` that the field `sid` named before, if that was another
        session (None if it was not, or has no record)."""
        ...

    async def delete(self, name: str) -> None: ...

    async def drain(self) -> None:
        """Finish what is in flight (shutdown)."""
        ...


# KEYS[1] record; ARGV: expected rev, new JSON, TTL ms, the pattern that reads a stored rev,
# and the SHA-1 of the exact bytes the hop started from ('' when this process no longer holds
# them). A record of another version (or garbage) counts as absent, i.e. revision 0. Answers 1
# when saved; when refused, the stored value (0 if none), so the caller needs no second read.
# Why the SHA-1 as well as the revision: revisions restart at 1 with each new record, so a copy
# of a record that expired (or was evicted) could carry the same revision as its successor.
_CAS = """
local stored = redis.call('GET', KEYS[1])
local rev = 0
if stored then
  rev = tonumber(string.match(stored, ARGV[4]) or '0')
end
if rev ~= tonumber(ARGV[1]) or (rev > 0 and ARGV[5] ~= '' and redis.sha1hex(stored) ~= ARGV[5]) then
  return stored or 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""
_REV_PATTERN = f'^{{"rev":(%d+),"v":{RECORD_VERSION},'.encode()

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

# KEYS[1] a phone line's field record; ARGV: TTL ms, the new session id, the key prefix of that
# channel's session records, then fields to delete. Returns {fields before, the record of the
# session `sid` named before (or false)}. That record's key is built here because it is only
# known once `sid` is read: fine on one Redis (and Sentinel), not on Redis Cluster, where the
# session keys would need a hash tag shared with the line's key.
_REPOINT = """
local before = redis.call('HGETALL', KEYS[1])
local previous = redis.call('HGET', KEYS[1], 'sid')
redis.call('HSET', KEYS[1], 'sid', ARGV[2])
for i = 4, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local record = false
if previous and previous ~= ARGV[2] then
  record = redis.call('GET', ARGV[3] .. previous)
end
return {before, record}
"""


class DecodedRecords:
    """The records this process saved or read last, by key, with the bytes they were stored as.

    Bytes read back that are identical to a remembered record skip the JSON decode (a menu
    hop's record was most often saved by this very process); anything another process wrote
    is decoded. Records are immutable, so sharing them is safe. Bounded, least recently used
    out first. `raw` gives the bytes a hop started from, for the compare-and-set.
    """

    def __init__(self, size: int = 8192) -> None:
        self._items: cachetools.LRUCache[str, tuple[bytes, SessionRecord]] = cachetools.LRUCache(
            size
        )

    def __len__(self) -> int:
        return len(self._items)

    def remember(self, key: str, raw: bytes, record: SessionRecord) -> None:
        self._items[key] = (raw, record)

    def raw(self, key: str) -> bytes | None:
        """The bytes the remembered record of `key` was stored as."""
        item = self._items.get(key)
        return None if item is None else item[0]

    def decode(self, key: str, raw: bytes | None) -> SessionRecord | None:
        """`raw` as read from the store, decoded (or recognised) and remembered."""
        if raw is None:
            self._items.pop(key, None)
            return None
        known = self._items.get(key)
        if known is not None and known[0] == raw:
            return known[1]
        record = _decode(raw)
        if record is None:
            self._items.pop(key, None)
        else:
            self.remember(key, raw, record)
        return record


class _Lua:
    """A Lua script run as `EVALSHA` through the auto-pipeline, loaded on `NOSCRIPT` (a
    restarted or flushed Redis). Why not redis-py's `register_script`: its call path costs
    ~6 µs more per call, and a menu hop makes one such call."""

    def __init__(self, redis: Redis, pipeline: AutoPipeline, source: str) -> None:
        self._redis = redis
        self._pipeline = pipeline
        self._source = source
        self._sha = hashlib.sha1(source.encode()).hexdigest()  # noqa: S324 - Redis's script id

    async def __call__(self, key: str, *args: bytes | int | str) -> Any:
        try:
            return await self._pipeline("EVALSHA", self._sha, 1, key, *args)
        except NoScriptError:
            self._sha = await self._redis.script_load(self._source)
            return await self._pipeline("EVALSHA", self._sha, 1, key, *args)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


@lru_cache(maxsize=64)  # a handful of TTLs (one per channel), one per save
def _ms_arg(seconds: float) -> bytes:
    return b"%d" % _ms(seconds)


class RedisSessionStore:
    """Records as JSON strings with `PX` expiry; saves go through the `_CAS` script."""

    def __init__(self, redis: Redis, prefix: str, ttl_s: float = 180.0) -> None:
        self._redis = redis
        self._prefix = f"{prefix}conv:"
        self._side = f"{prefix}conv:side:"
        self._ttl_ms = _ms_arg(ttl_s)  # as sent
        # The session records and phone lines go through the pipeline; each of their commands
        # may run more than once (see `AutoPipeline`): a read; a compare-and-set, whose rerun
        # is refused and answers with the record the first run stored; field updates to given
        # values; a repoint, whose rerun only forgoes the resume offer.
        self._pipeline = shared_pipeline(redis)
        self._cas = _Lua(redis, self._pipeline, _CAS)
        self._exchange = _Lua(redis, self._pipeline, _EXCHANGE)
        self._repoint = _Lua(redis, self._pipeline, _REPOINT)
        self._records = DecodedRecords()

    def _key(self, channel: str, session_id: str) -> str:
        return f"{self._prefix}{channel}:{session_id}"

    async def load(self, channel: str, session_id: str) -> SessionRecord | None:
        key = self._key(channel, session_id)
        return self._records.decode(key, _bytes(await self._pipeline("GET", key)))

    async def save(
        self, channel: str, session_id: str, record: SessionRecord, ttl_s: float | None = None
    ) -> None:
        key, raw = self._key(channel, session_id), encode(record)
        # every hop starts from a record this store read (and so remembered)
        started_from = self._records.raw(key) if record.rev > 1 else None
        digest = hashlib.sha1(started_from).hexdigest() if started_from else ""  # noqa: S324
        ttl_ms = self._ttl_ms if ttl_s is None else _ms_arg(ttl_s)
        answer = await self._cas(key, record.rev - 1, raw, ttl_ms, _REV_PATTERN, digest)
        if answer == 1:
            self._records.remember(key, raw, record)
            return
        raise StaleRevision(session_id, self._records.decode(key, _bytes(answer)))

    async def put(self, name: str, value: bytes, ttl_s: float) -> None:
        await self._redis.set(self._side + name, value, px=_ms(ttl_s))

    async def get(self, name: str) -> bytes | None:
        return _bytes(await self._redis.get(self._side + name))

    async def exchange(
        self,
        name: str,
        updates: Mapping[str, bytes],
        removals: Sequence[str],
        ttl_s: float,
    ) -> dict[str, bytes]:
        pairs = [item for field_name, value in updates.items() for item in (field_name, value)]
        flat = await self._exchange(self._side + name, _ms(ttl_s), len(updates), *pairs, *removals)
        return _fields(flat)

    async def repoint(
        self, name: str, channel: str, session_id: str, removals: Sequence[str], ttl_s: float
    ) -> tuple[dict[str, bytes], SessionRecord | None]:
        prefix = self._key(channel, "")
        flat, raw = await self._repoint(
            self._side + name, _ms(ttl_s), session_id, prefix, *removals
        )
        before = _fields(flat)
        previous = before.get("sid")
        if previous is None or previous == session_id.encode():
            return before, None
        return before, self._records.decode(self._key(channel, _text(previous)), _bytes(raw))

    async def delete(self, name: str) -> None:
        await self._redis.delete(self._side + name)

    async def drain(self) -> None:
        await self._pipeline.drain()


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
        self._records = DecodedRecords()
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

    def _record(self, key: str) -> SessionRecord | None:
        return self._records.decode(key, self._read(key))

    async def load(self, channel: str, session_id: str) -> SessionRecord | None:
        return self._record(f"{channel}:{session_id}")

    async def save(
        self, channel: str, session_id: str, record: SessionRecord, ttl_s: float | None = None
    ) -> None:
        key = f"{channel}:{session_id}"
        current = self._records.decode(key, self._read(key))
        if (0 if current is None else current.rev) != record.rev - 1:
            raise StaleRevision(session_id, current)
        raw = encode(record)
        ttl = self._ttl if ttl_s is None else ttl_s
        self._write(key, raw, ttl)
        self._records.remember(key, raw, record)

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

    async def repoint(
        self, name: str, channel: str, session_id: str, removals: Sequence[str], ttl_s: float
    ) -> tuple[dict[str, bytes], SessionRecord | None]:
        before = await self.exchange(name, {"sid": session_id.encode()}, removals, ttl_s)
        previous = before.get("sid")
        if previous is None or previous == session_id.encode():
            return before, None
        return before, self._record(f"{channel}:{_text(previous)}")

    async def delete(self, name: str) -> None:
        self._entries.pop(f"side:{name}", None)

    async def drain(self) -> None:
        return None  # nothing is ever in flight


class ChannelSessions:
    """One channel's conversations in a `SessionStore`, kept for the channel's TTL.

    `save` lands only on the version loaded; otherwise `LostRace` carries what is stored.
    """

    def __init__(self, store: SessionStore, channel: str, ttl_s: float) -> None:
        self.store = store
        self.channel = channel
        self._ttl_s = ttl_s

    async def load(self, key: str) -> tuple[SessionRecord | None, Version]:
        record = await self.store.load(self.channel, key)
        return record, _version(record)

    async def save(self, key: str, version: Version, record: SessionRecord) -> None:
        saved = record if record.rev == version.rev + 1 else replace(record, rev=version.rev + 1)
        try:
            await self.store.save(self.channel, key, saved, self._ttl_s)
        except StaleRevision as exc:
            raise LostRace(exc.current, _version(exc.current)) from None


def _version(record: SessionRecord | None) -> Version:
    return Version(0 if record is None else record.rev)


def _fields(flat: Sequence[bytes]) -> dict[str, bytes]:
    return {_text(flat[i]): flat[i + 1] for i in range(0, len(flat) - 1, 2)}


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
