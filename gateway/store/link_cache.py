"""Chat links cached in Redis, so a chat message does not read the database for its sender.

Why: a Telegram update's only database read was its sender's link (`ChatDirectory`), and at
load that read (a pooled connection, BEGIN, SELECT, ROLLBACK) cost about a third of the
gateway's CPU per update (bench/RESULTS.md, Telegram session 7). Links change rarely (linking,
`/unlink`, a phone linked from another chat) and only through `chat_links.link`/`unlink`.

Why a change takes effect at once in every process: whoever changes a link forgets the cached
answer of every chat user it touched, after its commit (`forget`), and a cached answer is
written (`fill`) only if no change came between the database read it holds and the write.
Each chat user has a generation counter beside its entry: a reader takes both in one round
trip; on a miss it reads the database and fills only while the generation is still the one it
saw (one Lua script); `forget` bumps the generation and drops the entry. So a fill from a read
made before a change's commit is refused, and a read after the forget finds no entry. The only
way a stale answer stays is a process that dies between its commit and its forget: then it
stays until the entry expires (`ENTRY_TTL_S`, the stated bound).

Not linked is cached too (a chat that has not shared its number yet), as "-".
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web
from redis.asyncio import Redis

from gateway.keys import redis_key, settings_key
from gateway.store.redis_pipeline import shared_pipeline

ENTRY_TTL_S = 600  # the bound on a stale link when a process dies between commit and forget
GENERATION_TTL_S = 24 * 3600  # far beyond any read-to-fill time
_NONE = b"-"

# KEYS: entry, generation; ARGV: the generation read ("" for none), the answer, ttl ms
_FILL = """
if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""
# KEYS: entry, generation; ARGV: the generation's ttl ms
_FORGET = """
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
"""


class Miss:
    """Not cached: read the database, then `fill` with this (the generation seen)."""

    __slots__ = ("generation",)

    def __init__(self, generation: bytes) -> None:
        self.generation = generation


class LinkCache:
    """Per (channel, chat user): the linked phone or "not linked", and a generation."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._prefix = f"{prefix}link:"
        # a read may run twice (see AutoPipeline); fills and forgets go alone, once each
        self._pipeline = shared_pipeline(redis)
        self._fill = redis.register_script(_FILL)
        self._forget = redis.register_script(_FORGET)

    def _keys(self, channel: str, chat_user: str) -> list[str]:
        entry = f"{self._prefix}{channel}:{chat_user}"
        return [entry, f"{entry}:gen"]

    async def get(self, channel: str, chat_user: str) -> str | Miss | None:
        """The cached phone, None when cached as not linked, or a `Miss`."""
        return self.answer(await self._pipeline(*self.read(channel, chat_user)))

    def read(self, channel: str, chat_user: str) -> tuple[str, ...]:
        """The command `get` sends, to send it beside others (`AutoPipeline.together`);
        `answer` reads its reply."""
        return ("MGET", *self._keys(channel, chat_user))

    @staticmethod
    def answer(reply: list[bytes | None]) -> str | Miss | None:
        entry, generation = reply
        if entry is None:
            return Miss(generation or b"")
        return None if entry == _NONE else bytes(entry).decode()

    async def fill(self, channel: str, chat_user: str, miss: Miss, phone: str | None) -> None:
        """Cache what the database answered, unless the link changed since `miss` was read."""
        value = _NONE if phone is None else phone.encode()
        keys = self._keys(channel, chat_user)
        await self._fill(keys=keys, args=[miss.generation, value, ENTRY_TTL_S * 1000])

    async def forget(self, channel: str, chat_users: Iterable[str]) -> None:
        """After a commit that changed these chat users' links: no process answers the old."""
        for chat_user in dict.fromkeys(chat_users):
            keys = self._keys(channel, chat_user)
            await self._forget(keys=keys, args=[GENERATION_TTL_S * 1000])


def link_cache(app: web.Application) -> LinkCache | None:
    """Redis when the gateway has it; without (the embedded default) links are read each time."""
    redis = app.get(redis_key)
    return None if redis is None else LinkCache(redis, app[settings_key].redis_prefix)
