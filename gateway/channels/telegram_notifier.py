"""Receipts pushed to Telegram: the worker's `Notifier` for outbox channel `telegram`.

A purchase made in a Telegram chat gets its receipt (the electricity token, the exam PINs) in
that chat the moment it settles: settlement queues it on channel `telegram`, worded for a chat
and carrying its SMS wording too (`gateway.texts.telegram.ChatMessage`), and the worker's
telegram lane sends it through this notifier to the chat the buyer's link names.

Telegram's limits are kept: about 30 messages a second per bot (PTB's `AIORateLimiter`, which
also waits a 429's `retry_after` and tries again) and one a second per chat (spaced here). A
network error is retried at once with a short backoff, then by the lane's own backoff. A token
must always reach its customer, so a receipt Telegram will not take (the user blocked the bot,
the chat is gone, the link was removed, or Telegram kept failing) is queued as an SMS to the
buyer's phone instead, once, in the SMS wording settlement stored with it: a redelivered
message finds the SMS already queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import AIORateLimiter
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from gateway.channels.telegram_bot import make_bot
from gateway.channels.telegram_linking import CHANNEL
from gateway.channels.telegram_render import PARSE_MODE
from gateway.clock import Clock
from gateway.keys import clock_key, db_key, settings_key
from gateway.store import chat_links, outbox
from gateway.store.outbox import OutboxMessage
from gateway.store.tables import Outbox
from gateway.texts.telegram import ChatMessage
from gateway.worker.context import register_notifier
from gateway.worker.notifier import SendResult

logger = logging.getLogger(__name__)

CONCURRENCY = 30  # Telegram's messages a second per bot: more in flight would only queue
PER_CHAT_S = 1.0  # Telegram's one message a second per chat
FLOOD_RETRIES = 3  # 429s waited out inside one send before the lane's backoff takes over
NETWORK_TRIES = 3
FALLBACK_AFTER_ATTEMPTS = 4  # ~2 minutes of the lane's backoff: then the receipt goes by SMS


def _transient(exc: BaseException) -> bool:
    # BadRequest is a NetworkError in PTB, but no retry changes Telegram's mind about it
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


class TelegramNotifier:
    """`send(message) -> SendResult` for the worker's telegram lane (see the module docstring)."""

    concurrency = CONCURRENCY

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        backoff_s: tuple[float, float] = (0.5, 2.0),
        token: str | None = None,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._backoff_s = backoff_s
        self._token = token  # kept out of errors (PTB quotes it when it is refused)
        self._started = asyncio.Lock()
        self._next_slot: TTLCache[int, float] = TTLCache(100_000, 60.0)

    async def send(self, message: OutboxMessage) -> SendResult:
        chat = ChatMessage.parse(message.body)
        chat_id = await self._chat_of(message)
        if chat_id is None:
            return await self._fallback(message, chat, "the buyer has no Telegram link")
        try:
            sent = await self._send(chat_id, chat.html)
        except Forbidden:
            return await self._fallback(message, chat, "the user blocked the bot")
        except BadRequest as exc:  # the chat is gone, the user deactivated: no retry helps
            return await self._fallback(message, chat, f"Telegram refused it ({exc.message})")
        except TelegramError as exc:  # floods past the waits, the network, a refused token
            why = f"{type(exc).__name__}: {exc}"
            if self._token:
                why = why.replace(self._token, "***")
            if message.attempts >= FALLBACK_AFTER_ATTEMPTS:
                return await self._fallback(message, chat, f"Telegram kept failing ({why})")
            return SendResult.retry(why[:200])
        return SendResult.sent(str(sent))

    async def aclose(self) -> None:
        await self._bot.shutdown()

    async def _chat_of(self, message: OutboxMessage) -> int | None:
        if message.user_id is None:
            return None
        async with self._sessionmaker() as session:
            chat = await chat_links.chat_of(session, CHANNEL, message.user_id)
        return None if chat is None else int(chat)

    async def _send(self, chat_id: int, html: str) -> int:
        """The message id Telegram gave the receipt (`html`: already in the parse mode)."""
        await self._start()
        await self._space(chat_id)
        first, longest = self._backoff_s
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(NETWORK_TRIES),
            wait=wait_exponential(multiplier=first, max=longest),
            reraise=True,
        ):
            with attempt:
                sent = await self._bot.send_message(chat_id, html, parse_mode=PARSE_MODE)
        return int(sent.message_id)

    async def _start(self) -> None:
        async with self._started:
            await self._bot.initialize()  # once (getMe); raises while Telegram is unreachable

    async def _space(self, chat_id: int) -> None:
        """Wait this chat's turn: one message a second per chat."""
        now = asyncio.get_running_loop().time()
        due = max(now, self._next_slot.get(chat_id, now))
        self._next_slot[chat_id] = due + PER_CHAT_S
        if due > now:
            await asyncio.sleep(due - now)

    async def _fallback(self, message: OutboxMessage, chat: ChatMessage, why: str) -> SendResult:
        """Queue the message's SMS wording to the buyer's phone (once), and say so."""
        if not chat.fallback:  # never written so: a chat message always carries its SMS
            logger.error("outbox #%d: %s, and it carries no SMS to send instead", message.id, why)
            return SendResult.rejected(f"{why}; no SMS to send instead"[:250])
        async with self._sessionmaker.begin() as session:
            queued = await _sms_already_queued(session, message, chat.fallback[0])
            if queued is None:
                ids = [
                    await outbox.enqueue(
                        session,
                        phone=message.phone,
                        body=body,
                        at=self._clock.now(),
                        channel="sms",
                        user_id=message.user_id,
                        purchase_id=message.purchase_id,
                    )
                    for body in chat.fallback
                ]
                queued = ids[0]
        more = len(chat.fallback) - 1
        sent_as = f"SMS #{queued}" + (f" (+{more} more)" if more else "")
        logger.warning("outbox #%d: %s; sent as %s instead", message.id, why, sent_as)
        return SendResult.rejected(f"{why}; sent as {sent_as}"[:250])


async def _sms_already_queued(
    session: AsyncSession, message: OutboxMessage, first: str
) -> int | None:
    """The first SMS an earlier fallback of this message queued (a redelivery must not add
    any: they were all queued in one transaction)."""
    found: int | None = (
        await session.execute(
            select(Outbox.id)
            .where(
                Outbox.channel == "sms",
                Outbox.phone == message.phone,
                Outbox.body == first,
                Outbox.created_at >= message.created_at,
                Outbox.purchase_id == message.purchase_id
                if message.purchase_id is not None
                else Outbox.purchase_id.is_(None),
            )
            .order_by(Outbox.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    return found


async def telegram_notifier_ctx(app: web.Application) -> AsyncIterator[None]:
    """Register the notifier for the worker's telegram lane; place it before `worker_ctx`."""
    settings = app[settings_key]
    if settings.telegram_bot_token is None:
        yield
        return
    bot = make_bot(settings, rate_limiter=AIORateLimiter(max_retries=FLOOD_RETRIES))
    token = settings.telegram_bot_token.value
    notifier = TelegramNotifier(bot, app[db_key], app[clock_key], token=token)
    register_notifier(app, CHANNEL, notifier)
    try:
        yield
    finally:
        await notifier.aclose()
