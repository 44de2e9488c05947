"""Chat users linked to PayLink users (Telegram), and the directory the coordinator asks.

A chat app knows its users by its own ids, the gateway by phone. A link is made only from a
phone the chat app itself vouches for (Telegram: a contact the sender shared of themselves),
so it lives here, beside the users, and every channel that identifies people by a chat id
resolves them through `ChatDirectory` (the conversation contract's `Directory` port).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.phones import Msisdn
from gateway.store import users
from gateway.store.tables import User, chat_links_table

_LINKS = chat_links_table


async def link(
    session: AsyncSession,
    channel: str,
    chat_user: str,
    chat_id: str,
    phone: Msisdn,
    *,
    now: datetime,
) -> tuple[users.UserRef, bool]:
    """Link `chat_user` to the user with `phone`, registering one (no PIN yet) if none.

    Any earlier link of this chat user, or of that PayLink user on `channel`, is replaced: a
    phone number moves with whoever holds it now. Returns (the user, whether it was created).
    """
    user, created = await users.get_or_create(session, phone, now=now)
    for attempt in range(2):
        try:
            async with session.begin_nested():
                await session.execute(
                    delete(_LINKS).where(
                        _LINKS.c.channel == channel,
                        or_(_LINKS.c.chat_user == chat_user, _LINKS.c.user_id == user.id),
                    )
                )
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
    return user, created


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
    """The coordinator's `Directory`: one indexed lookup per chat message, nothing cached, so
    an unlink takes effect at once in every gateway process."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def phone_of(self, channel: str, chat_user: str) -> str | None:
        async with self._sessionmaker() as session:
            return await phone_of(session, channel, chat_user)
