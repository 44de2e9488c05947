"""`paylink telegram set-webhook URL | delete-webhook | poll`: point Telegram at the gateway.

Two ways to receive updates (channels.md C1, C4):
- a public HTTPS URL: `set-webhook https://example.com/telegram/webhook` tells Telegram to POST
  each update there with `TELEGRAM_WEBHOOK_SECRET` in its header (and only the kinds of update
  the bot serves); `paylink serve` answers them;
- no public URL (a laptop): `poll` runs the gateway as `serve` does, with the bot long-polling
  `getUpdates` through the same handlers. Telegram refuses `getUpdates` while a webhook is set,
  so polling removes it first.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import ExtBot

from gateway.channels.telegram import ROUTE
from gateway.channels.telegram_bot import (
    ALLOWED_UPDATES,
    make_bot,
    redact,
    telegram_polling_key,
)
from gateway.cli import serve
from gateway.cli.common import EXIT_USAGE, UsageError, err, out, run
from gateway.cli.failures import Unavailable
from gateway.clock import Clock
from gateway.settings import Settings


def register(commands: Any) -> None:
    telegram = commands.add_parser("telegram", help="the Telegram bot: webhook or long polling")
    actions = telegram.add_subparsers(dest="action", required=True, metavar="ACTION")

    hook = actions.add_parser("set-webhook", help="have Telegram POST updates to URL")
    hook.add_argument("url", help=f"the gateway's public HTTPS URL, ending in {ROUTE}")
    hook.add_argument(
        "--drop-pending", action="store_true", help="forget updates Telegram is holding"
    )
    hook.set_defaults(handler=run_set_webhook)

    unhook = actions.add_parser("delete-webhook", help="stop Telegram POSTing updates")
    unhook.add_argument(
        "--drop-pending", action="store_true", help="forget updates Telegram is holding"
    )
    unhook.set_defaults(handler=run_delete_webhook)

    poll = actions.add_parser("poll", help="run the gateway, the bot long-polling Telegram")
    poll.add_argument("--host", default="127.0.0.1")
    poll.add_argument("--port", type=int, default=8080)
    poll.set_defaults(handler=run_poll)


def _require_token(settings: Settings) -> None:
    if settings.telegram_bot_token is None:
        raise UsageError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")


def run_set_webhook(settings: Settings, args: argparse.Namespace, _clock: Clock) -> int:
    async def go() -> int:
        _require_token(settings)
        secret = settings.telegram_webhook_secret
        if secret is None:
            raise UsageError(
                "TELEGRAM_WEBHOOK_SECRET is not set: the webhook would refuse every update"
            )
        await _with_bot(
            settings,
            lambda bot: bot.set_webhook(
                args.url,
                secret_token=secret.value,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=args.drop_pending,
            ),
        )
        out(f"Telegram now POSTs {', '.join(ALLOWED_UPDATES)} updates to {args.url}")
        return 0

    return run(go())


def run_delete_webhook(settings: Settings, args: argparse.Namespace, _clock: Clock) -> int:
    async def go() -> int:
        _require_token(settings)
        await _with_bot(
            settings, lambda bot: bot.delete_webhook(drop_pending_updates=args.drop_pending)
        )
        out("Telegram no longer POSTs updates (use `paylink telegram poll`, or set-webhook)")
        return 0

    return run(go())


def run_poll(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    if settings.telegram_bot_token is None:
        err("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        return EXIT_USAGE

    def polling(app: web.Application) -> None:
        app[telegram_polling_key] = True

    return serve.run_serve(settings, args, clock, configure=polling)


async def _with_bot(settings: Settings, action: Callable[[ExtBot[Any]], Awaitable[object]]) -> None:
    """One Bot API call; Telegram's refusal is the operator's to fix (exit 2), a Bot API that
    cannot be reached is an unavailable service (exit 3). The token never reaches the output."""
    bot = make_bot(settings)
    try:
        async with bot:  # initialize (getMe: checks the token) ... shutdown
            await action(bot)
    except InvalidToken:
        raise UsageError("Telegram refused TELEGRAM_BOT_TOKEN") from None
    except BadRequest as exc:
        raise UsageError(f"Telegram refused it: {redact(exc.message, settings)}") from None
    except TelegramError as exc:
        raise Unavailable(
            f"the Telegram Bot API cannot be reached: {redact(str(exc), settings)}"
        ) from None
