"""What the Telegram adapter keeps between updates, shared by every gateway process.

Two small things, in Redis when the gateway has it (any process may receive the next webhook
call) and in process memory on the embedded default (one process), as the session store does
(`gateway.conversations.context.create_store`):

- the `update_id`s already taken: Telegram redelivers an update it did not see a 2xx for, and
  a redelivery must do nothing (a tap must not be applied twice). Each delivery claims its id
  with a token of its own, so a claim that runs twice (a command re-sent on a dropped
  connection) still knows it was its own;
- per chat, a `ChatState`: which message carries the live buttons (edited in place; a tap on
  any other message is stale), whether that message asks for a PIN (so the next text is
  deleted once read), and the conversation's epoch (a new one after linking or unlinking, so
  a conversation never outlives the link it was started under). Reading it renews its TTL (a
  day from the chat's last update), so saving one that did not change can be skipped. It is
  read in one round trip with its user's link as the link cache holds it
  (`gateway.store.link_cache`), which the conversation then need not look up.

Nothing here holds a message's text.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, replace
from typing import Protocol

from aiohttp import web
from cachetools import TTLCache
from redis.asyncio import Redis

from gateway.channels.telegram_linking import CHANNEL
from gateway.clock import Clock
from gateway.keys import clock_key, redis_key, settings_key
from gateway.store.link_cache import LinkCache
from gateway.store.redis_pipeline import shared_pipeline

UPDATE_TTL_S = 24 * 3600.0  # Telegram keeps retrying an undelivered update for up to a day
CHAT_TTL_S = 24 * 3600.0  # a day-old menu still works: a tap on it opens a new conversation
MEMORY_CHATS = 100_000
MEMORY_UPDATES = 200_000


@dataclass(frozen=True, slots=True)
class ChatState:
    """`epoch`: part of the conversation key; `menu`: the message with the live buttons;
    `secret`: that message asks for a PIN."""

    epoch: str
    menu: int | None = None
    secret: bool = False

    @staticmethod
    def fresh() -> ChatState:
        return ChatState(secrets.token_hex(4))

    def showing(self, menu: int | None, *, secret: bool) -> ChatState:
        return replace(self, menu=menu, secret=secret)

    def encode(self) -> bytes:
        return json.dumps({"e": self.epoch, "m": self.menu, "s": self.secret}).encode()

    @staticmethod
    def decode(raw: bytes | str | None) -> ChatState | None:
        """None for nothing stored or anything this module did not write."""
        if raw is None:
            return None
        try:
            body = json.loads(raw)
            epoch, menu, secret = body["e"], body["m"], body["s"]
        except (ValueError, TypeError, KeyError):
            return None
        if not (
            isinstance(epoch, str)
            and isinstance(secret, bool)
            and (menu is None or (isinstance(menu, int) and not isinstance(menu, bool)))
        ):
            return None
        return ChatState(epoch, menu, secret)


class TelegramState(Protocol):
    async def first_delivery(self, update_id: int) -> bool:
        """True the first time `update_id` is seen (and from then on remembered)."""
        ...

    async def chat(self, chat_id: int) -> ChatState | None:
        """The chat's state, its TTL renewed (a day from now)."""
        ...

    async def chat_and_phone(
        self, chat_id: int, user_id: int
    ) -> tuple[ChatState | None, str | None]:
        """`chat(chat_id)`, and the phone linked to `user_id` if the link cache holds one (read
        with it; None: not cached, or not linked, and the directory is asked as usual)."""
        ...

    async def save_chat(self, chat_id: int, state: ChatState) -> None: ...


class RedisTelegramState:
    """Per update id a `SET NX GET` with this delivery's own token; a chat state is a small JSON
    value, read (`GETEX`, renewing its TTL) and written. All go through an auto-pipeline (the
    commands of concurrent chats leave together), as each may safely run twice (see
    `AutoPipeline`): a claim re-run reads back its own token, so it still counts as first."""

    def __init__(self, redis: Redis, prefix: str, links: LinkCache | None = None) -> None:
        self._redis = redis
        self._prefix = f"{prefix}tg:"
        self._pipeline = shared_pipeline(redis)
        self._links = links
        self._chat_px = int(CHAT_TTL_S * 1000)
        self._update_px = int(UPDATE_TTL_S * 1000)

    async def first_delivery(self, update_id: int) -> bool:
        return await self.claim(update_id, os.urandom(8))

    async def claim(self, update_id: int, token: bytes) -> bool:
        """Take `update_id` for the delivery holding `token`: True if it was free or is this
        token's already (the same claim run again)."""
        key = f"{self._prefix}update:{update_id}"
        held = await self._pipeline("SET", key, token, "NX", "GET", "PX", self._update_px, get=True)
        return held is None or held == token

    async def chat(self, chat_id: int) -> ChatState | None:
        return ChatState.decode(await self._pipeline(*self._read(chat_id)))

    async def chat_and_phone(
        self, chat_id: int, user_id: int
    ) -> tuple[ChatState | None, str | None]:
        if self._links is None:
            return await self.chat(chat_id), None
        raw, link = await self._pipeline.together(
            self._read(chat_id), self._links.read(CHANNEL, str(user_id))
        )
        phone = self._links.answer(link)
        return ChatState.decode(raw), phone if isinstance(phone, str) else None

    def _read(self, chat_id: int) -> tuple[str, ...]:
        return ("GETEX", f"{self._prefix}chat:{chat_id}", "PX", str(self._chat_px))

    async def save_chat(self, chat_id: int, state: ChatState) -> None:
        key = f"{self._prefix}chat:{chat_id}"
        await self._pipeline("SET", key, state.encode(), "PX", self._chat_px)


class MemoryTelegramState:
    """The embedded default's: bounded TTL caches on the app's clock."""

    def __init__(self, clock: Clock) -> None:
        def timer() -> float:
            return clock.now().timestamp()

        self._updates: TTLCache[int, bool] = TTLCache(MEMORY_UPDATES, UPDATE_TTL_S, timer)
        self._chats: TTLCache[int, ChatState] = TTLCache(MEMORY_CHATS, CHAT_TTL_S, timer)

    async def first_delivery(self, update_id: int) -> bool:
        if update_id in self._updates:
            return False
        self._updates[update_id] = True
        return True

    async def chat(self, chat_id: int) -> ChatState | None:
        state = self._chats.get(chat_id)
        if state is not None:
            self._chats[chat_id] = state  # read: its TTL starts again, as on Redis
        return state

    async def chat_and_phone(
        self,
        chat_id: int,
        user_id: int,  # noqa: ARG002 - the protocol's
    ) -> tuple[ChatState | None, str | None]:
        return await self.chat(chat_id), None  # no link cache in memory: the directory reads

    async def save_chat(self, chat_id: int, state: ChatState) -> None:
        self._chats[chat_id] = state


def create_state(app: web.Application, links: LinkCache | None = None) -> TelegramState:
    """Redis when the gateway has it, else this process's memory; `links`: the chat links'
    cache, read with a chat's state."""
    redis = app.get(redis_key)
    if redis is None:
        return MemoryTelegramState(app[clock_key])
    return RedisTelegramState(redis, app[settings_key].redis_prefix, links)
