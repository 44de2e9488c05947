"""The python-telegram-bot `Application` inside the gateway: built, started, stopped.

PTB is the Bot API client and the update parser; our aiohttp app owns the HTTP server, so the
Application is built with `updater(None)` (channels.md C1) and webhook updates are handed to it
by `gateway.channels.telegram`. `paylink telegram poll` sets `telegram_polling_key`: the same
Application then gets PTB's Updater and long-polls `getUpdates` with the same handlers.

Why the start is retried in the background: `initialize()` calls `getMe`, and a Telegram that
cannot be reached (or a token it refuses) must not keep the USSD and REST channels from
starting. Until the bot has started, the webhook answers 503, so Telegram keeps the update and
delivers it again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, ExtBot

from gateway.channels.telegram_chat import NAME, TelegramChat, bot_commands, log_failure
from gateway.channels.telegram_client import GatewayBot
from gateway.channels.telegram_http import AiohttpRequest
from gateway.channels.telegram_linking import Links
from gateway.channels.telegram_state import TelegramState, create_state
from gateway.conversations.keys import coordinators_key
from gateway.keys import clock_key, db_key, settings_key
from gateway.settings import Settings
from gateway.store.link_cache import link_cache

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]  # what the handlers serve; asked of Telegram
FLOOD_RETRIES = 1  # a 429 on a reply waits `retry_after` once, then the reply is dropped
CONCURRENT_UPDATES = 64  # polling: updates of different chats run side by side
START_RETRY_S = (1.0, 60.0)  # the first and the longest wait between start attempts
POLL_TIMEOUT_S = 30

TelegramApp = Application[Any, Any, Any, Any, Any, Any]

telegram_polling_key = web.AppKey("telegram_polling", bool)


def redact(text: str, settings: Settings) -> str:
    """`text` without the bot token (PTB puts it in some error messages, e.g. InvalidToken)."""
    token = settings.telegram_bot_token
    return text.replace(token.value, "***") if token is not None and token.value else text


def build_application(settings: Settings, *, polling: bool = False) -> TelegramApp:
    """The Application for `TELEGRAM_BOT_TOKEN` at `TELEGRAM_API_BASE_URL` (PTB's meaning: the
    token is appended; unset: Telegram's own). Replies are not throttled (each answers a user);
    a flood answer (429) waits `retry_after` and tries once more. The bot is a `GatewayBot`
    (`telegram_client`); calls go over aiohttp (`telegram_http`); long polling's `getUpdates`
    keeps PTB's own client."""
    token = settings.telegram_bot_token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    kwargs: dict[str, Any] = {}
    if settings.telegram_api_base_url is not None:
        kwargs["base_url"] = settings.telegram_api_base_url
    bot = GatewayBot(
        token.value,
        request=AiohttpRequest(),
        rate_limiter=AIORateLimiter(
            overall_max_rate=0, group_max_rate=0, max_retries=FLOOD_RETRIES
        ),
        **kwargs,
    )
    builder = Application.builder().bot(bot).concurrent_updates(CONCURRENT_UPDATES)
    if not polling:
        builder = builder.updater(None)
    return builder.build()


def make_bot(settings: Settings, *, rate_limiter: AIORateLimiter | None = None) -> ExtBot[Any]:
    """A bare Bot API client (the CLI, the receipt notifier); `initialize()` before use."""
    token = settings.telegram_bot_token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    kwargs: dict[str, Any] = {}
    if settings.telegram_api_base_url is not None:
        kwargs["base_url"] = settings.telegram_api_base_url
    return ExtBot(token.value, request=AiohttpRequest(), rate_limiter=rate_limiter, **kwargs)


class TelegramBot:
    """The running bot: its Application, the shared update/chat state, whether it started."""

    def __init__(
        self,
        application: TelegramApp,
        state: TelegramState,
        settings: Settings,
        *,
        polling: bool = False,
    ) -> None:
        self.application = application
        self.state = state
        self._settings = settings
        self._polling = polling
        self._retrying: asyncio.Task[None] | None = None

    @property
    def bot(self) -> Bot:
        bot: Bot = self.application.bot
        return bot

    @property
    def ready(self) -> bool:
        return bool(self.application.running)

    async def start(self) -> None:
        """Start now if Telegram answers, else keep trying in the background."""
        if not await self._try_start():
            self._retrying = asyncio.create_task(self._keep_trying(), name="telegram-start")

    async def stop(self) -> None:
        if self._retrying is not None:
            self._retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retrying
        application = self.application
        updater = application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def _try_start(self) -> bool:
        application = self.application
        try:
            await application.initialize()  # getMe: checks the token
            await application.bot.set_my_commands(bot_commands())
            await application.start()
            if self._polling and application.updater is not None:
                await application.updater.start_polling(
                    timeout=POLL_TIMEOUT_S, allowed_updates=ALLOWED_UPDATES
                )
        except InvalidToken:
            logger.error("telegram: the Bot API refused TELEGRAM_BOT_TOKEN; retrying later")
            return False
        except TelegramError as exc:
            logger.error(
                "telegram: the Bot API cannot be used (%s); retrying later",
                redact(str(exc), self._settings),
            )
            return False
        logger.info(
            "telegram: bot @%s started (%s)",
            application.bot.username,
            "long polling" if self._polling else "webhook",
        )
        return True

    async def _keep_trying(self) -> None:
        wait, longest = START_RETRY_S
        while not await self._try_start():
            await asyncio.sleep(wait)
            wait = min(wait * 2, longest)


async def _on_error(_update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.error is not None:
        log_failure(context.error)


telegram_key = web.AppKey("telegram", TelegramBot)


async def telegram_ctx(app: web.Application) -> AsyncIterator[None]:
    """The bot, when `TELEGRAM_BOT_TOKEN` is set; after the coordinators (it uses them)."""
    settings = app[settings_key]
    if settings.telegram_bot_token is None:
        yield
        return
    polling = app.get(telegram_polling_key, False)
    application = build_application(settings, polling=polling)
    cache = link_cache(app)
    state = create_state(app, cache)
    links = Links(app[db_key], app[clock_key], cache)
    chat = TelegramChat(app[coordinators_key][NAME], state, links)
    application.add_handlers(chat.handlers())
    application.add_error_handler(_on_error)
    bot = TelegramBot(application, state, settings, polling=polling)
    app[telegram_key] = bot
    await bot.start()
    try:
        yield
    finally:
        await bot.stop()
