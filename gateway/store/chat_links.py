"""Chat users linked to PayLink users (Telegram), and the directory the coordinator asks.

A chat app knows its users by its own ids, the gateway by phone. A link is made only from a
phone the chat app itself vouches for (Telegram: a contact the sender shared of themselves),
so it lives here, beside the users, and every channel that identifies people by a chat id
resolves them through `ChatDirectory` (the conversation contract's `Directory` port).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.phones import Msisdn
from gateway.store import users
from gateway.store.link_cache import LinkCache, Miss
from gateway.store.tables import User, chat_links_table

_LINKS = chat_links_table


class Linked(NamedTuple):
    """`moved`: the chat users whose link was replaced (the linker's own earlier one too),
    whose cached links must be forgotten after the commit."""

    user: users.UserRef
    created: bool
    moved: tuple[str, ...] = ()


async def link(
    session: AsyncSession,
    channel: str,
    chat_user: str,
    chat_id: str,
    phone: Msisdn,
    *,
    now: datetime,
) -> Linked:
    """Link `chat_user` to the user with `phone`, registering one (no PIN yet) if none.

    Any earlier link of this chat user, or of that PayLink user on `channel`, is replaced: a
    phone number moves with whoever holds it now. Returns the user, whether it was created,
    and the chat users whose links were replaced.
    """
    user, created = await users.get_or_create(session, phone, now=now)
    moved: tuple[str, ...] = ()
    for attempt in range(2):
        try:
            async with session.begin_nested():
                replaced = await session.execute(
                    delete(_LINKS)
                    .where(
                        _LINKS.c.channel == channel,
                        or_(_LINKS.c.chat_user == chat_user, _LINKS.c.user_id == user.id),
                    )
                    .returning(_LINKS.c.chat_user)
                )
                moved = tuple(replaced.scalars())
                await session.execute(
                    _LINKS.insert().values(
                        channel=channel,
                        chat_user=chat_user,
                        chat_id=chat_id,
                        user_id=user.id,
                        created_at=now,
                    )
                )
            break
        except IntegrityError:  # a concurrent link of the same user or chat user won
            if attempt:
                raise
    return Linked(user, created, moved)


async def unlink(session: AsyncSession, channel: str, chat_user: str) -> bool:
    """Remove the chat user's link; whether there was one."""
    result = await session.execute(
        delete(_LINKS).where(_LINKS.c.channel == channel, _LINKS.c.chat_user == chat_user)
    )
    return bool(getattr(result, "rowcount", 0))


async def phone_of(session: AsyncSession, channel: str, chat_user: str) -> str | None:
    """The E.164 phone of the user `chat_user` is linked to, None if not linked."""
    found: str | None = (
        await session.execute(
            select(User.phone)
            .join(_LINKS, _LINKS.c.user_id == User.id)
            .where(_LINKS.c.channel == channel, _LINKS.c.chat_user == chat_user)
        )
    ).scalar_one_or_none()
    return found


async def chat_of(session: AsyncSession, channel: str, user_id: int) -> str | None:
    """The chat where the user's `channel` messages go, None if they have no link there."""
    found: str | None = (
        await session.execute(
            select(_LINKS.c.chat_id).where(_LINKS.c.channel == channel, _LINKS.c.user_id == user_id)
        )
    ).scalar_one_or_none()
    return found


class ChatDirectory:
    """The coordinator's `Directory`: the link from `cache` (Redis), else one indexed lookup.
    The cache is forgotten by whoever changes a link, so an unlink takes effect at once in
    every gateway process (`link_cache`); without one every message reads the database."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], cache: LinkCache | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._cache = cache

    async def phone_of(self, channel: str, chat_user: str) -> str | None:
        if self._cache is None:
            return await self._read(channel, chat_user)
        cached = await self._cache.get(channel, chat_user)
        if not isinstance(cached, Miss):
            return cached
        phone = await self._read(channel, chat_user)
        await self._cache.fill(channel, chat_user, cached, phone)
        return phone

    async def _read(self, channel: str, chat_user: str) -> str | None:
        async with self._sessionmaker() as session:
            return await phone_of(session, channel, chat_user)
