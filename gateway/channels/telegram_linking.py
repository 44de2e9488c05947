"""Linking a Telegram user to a PayLink phone by the contact they share (channels.md C7).

Why only a contact whose `user_id` is the sender's own: Telegram's servers fill that field for
the "share my number" button and clients cannot forge it, while a contact card forwarded from
someone else carries another id (or none). Linking by a number the user merely typed would let
anyone buy from a wallet whose phone they do not hold. A new phone registers a user (no PIN);
the conversation then asks for a PIN as on USSD.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Contact, KeyboardButton, ReplyKeyboardMarkup

from gateway.clock import Clock
from gateway.phones import Msisdn, normalize_phone, to_local
from gateway.store import chat_links
from gateway.store.link_cache import LinkCache

CHANNEL = "telegram"
SHARE_LABEL = "Share my phone number"
PROMPT = (
    "PayLink buys airtime, data, electricity, TV and exam PINs from your PayLink wallet, right"
    " here. First link your phone number: tap the button below."
)
FORWARDED = (
    "That is someone else's contact card, so it cannot link this chat. Please share your own"
    " number with the button below."
)
NOT_NIGERIAN = "Sorry, PayLink serves Nigerian mobile numbers only."
UNLINKED = "Your phone number is no longer linked to this chat. Send /start to link it again."
NOT_LINKED = "This chat is not linked to a phone number. Send /start to link one."


def contact_keyboard() -> ReplyKeyboardMarkup:
    """The one-button keyboard that shares the user's own number (private chats only)."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(SHARE_LABEL, request_contact=True)]],
        one_time_keyboard=True,
        resize_keyboard=True,
    )


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a shared contact cannot link the chat, in the user's words."""

    reason: str


def own_phone(contact: Contact, sender_id: int) -> Msisdn | Refused:
    """The sender's own Nigerian number from `contact`, or why it is refused."""
    if contact.user_id is None or contact.user_id != sender_id:
        return Refused(FORWARDED)
    try:  # Telegram sends it with or without the `+`
        return normalize_phone(contact.phone_number)
    except ValueError:
        return Refused(NOT_NIGERIAN)


def linked_text(phone: str) -> str:
    return f"Linked: this chat now buys with the PayLink wallet of {to_local(phone)}."


class Links:
    """The chat links of Telegram users, one short transaction each; a change is then
    forgotten by the link cache of every process (`gateway.store.link_cache`)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        cache: LinkCache | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._cache = cache

    async def phone_of(self, user_id: int) -> str | None:
        async with self._sessionmaker() as session:
            return await chat_links.phone_of(session, CHANNEL, str(user_id))

    async def link(self, user_id: int, chat_id: int, phone: Msisdn) -> bool:
        """Link (or move the link); whether a PayLink user was registered for `phone`."""
        async with self._sessionmaker.begin() as session:
            linked = await chat_links.link(
                session, CHANNEL, str(user_id), str(chat_id), phone, now=self._clock.now()
            )
        if self._cache is not None:  # after the commit: a fill from before it is refused
            await self._cache.forget(CHANNEL, (str(user_id), *linked.moved))
        return linked.created

    async def unlink(self, user_id: int) -> bool:
        async with self._sessionmaker.begin() as session:
            had = await chat_links.unlink(session, CHANNEL, str(user_id))
        if self._cache is not None:
            await self._cache.forget(CHANNEL, (str(user_id),))
        return had
