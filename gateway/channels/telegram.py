"""Telegram: `POST /telegram/webhook`, and the channel's profile (one line in `registry.py`).

On only when `TELEGRAM_BOT_TOKEN` is set (without it there is no route and no bot). The bot
itself (python-telegram-bot, started with the app) is `telegram_bot`; its handlers, which run
the conversation, are `telegram_chat`; screens become messages in `telegram_render`.

The webhook (channels.md C1, C4):
- `X-Telegram-Bot-Api-Secret-Token` must equal `TELEGRAM_WEBHOOK_SECRET` (compared in constant
  time); otherwise 403 and nothing is read or done. Without the setting every call is refused
  (use `paylink telegram poll`, or set the secret and `paylink telegram set-webhook`);
- a repeated `update_id` (Telegram redelivers what it did not see answered) is dropped, in every
  gateway process alike (`telegram_state`);
- a body that is not an update, or a kind of update the bot does not serve, is answered 200 with
  a log line: Telegram retries anything else, and retrying cannot fix it. Nothing is ever 5xx
  except 503 while the bot has not started yet (Telegram then delivers the update again later);
- PTB parses the update (`Update.de_json`, or its objects built faster for a text message or a
  tap: `telegram_parse`) and runs the handlers on it; a tapped message's
  buttons are dropped before parsing, as nothing reads them;
- the update is processed before the answer, so a reply (or its failure) is over by then; the
  answer may carry one Bot API call (`telegram_reply`): a tap's answer, or an old menu's
  buttons taken off.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

import orjson
from aiohttp import web

from gateway.channels.telegram_bot import telegram_ctx, telegram_key
from gateway.channels.telegram_chat import NAME
from gateway.channels.telegram_parse import parse_update
from gateway.channels.telegram_reply import ANSWER, WebhookReply, webhook_reply
from gateway.conversations.contract import ChannelProfile
from gateway.conversations.failures import masked_traceback
from gateway.flows.screens import TELEGRAM
from gateway.keys import settings_key
from gateway.settings import Settings

logger = logging.getLogger(__name__)

ROUTE = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
SESSION_TTL_S = 600.0  # ten minutes of silence keep a chat's conversation
REPLY_BUDGET_S = 5.0  # a chat waits longer than a USSD handset for a meter's owner
SERVED = ("message", "callback_query")


def profile(_settings: Settings) -> ChannelProfile:
    """Telegram: rich screens (`₦1,500.00`, 4,000 characters), one input per message."""
    return ChannelProfile(NAME, TELEGRAM, SESSION_TTL_S, reply_budget_s=REPLY_BUDGET_S)


def setup_telegram(app: web.Application) -> None:
    """The webhook route and the bot's cleanup context, when a bot token is configured."""
    if app[settings_key].telegram_bot_token is None:
        return
    app.cleanup_ctx.append(telegram_ctx)  # after the coordinators it runs on
    app.router.add_post(ROUTE, telegram_webhook)


def authentic(request: web.Request, settings: Settings) -> bool:
    """Whether the request carries the webhook secret (never, when none is configured)."""
    secret = settings.telegram_webhook_secret
    given = request.headers.get(SECRET_HEADER)
    if secret is None or given is None:
        return False
    return hmac.compare_digest(given.encode(), secret.value.encode())


def _ok(reply: WebhookReply | None = None) -> web.Response:
    """200; with the Bot API call the update left for the answer to carry, if any."""
    if reply is None or reply.call is None:
        return web.Response(status=200)
    return web.Response(body=orjson.dumps(reply.call), content_type="application/json")


async def telegram_webhook(request: web.Request) -> web.Response:
    """One update from Telegram: 200 once handled (or not worth a retry), 403 without the
    secret, 503 while the bot is starting."""
    if not authentic(request, request.app[settings_key]):
        logger.warning("telegram webhook call refused: wrong or missing secret token")
        return web.Response(status=403)
    bot = request.app[telegram_key]
    if not bot.ready:
        return web.Response(status=503, headers={"Retry-After": "5"})
    reply = WebhookReply()
    try:
        try:
            body = orjson.loads(await request.read())
        except ValueError:  # not JSON, or not UTF-8 (orjson's error is a ValueError)
            logger.warning("telegram webhook: a body that is not JSON was ignored")
            return _ok()
        update_id = body.get("update_id") if isinstance(body, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            logger.warning("telegram webhook: a body without an update_id was ignored")
            return _ok()
        if not any(kind in body for kind in SERVED):
            kinds = sorted(k for k in body if k != "update_id")
            logger.info("telegram webhook: update %d (%s) not served", update_id, ",".join(kinds))
            return _ok()
        _answer_by_default(reply, body)
        if not await bot.state.first_delivery(update_id):
            logger.info("telegram webhook: update %d delivered again, ignored", update_id)
            return _ok(reply)
        update = parse_update(_unused_dropped(body), bot.bot)
        token = webhook_reply.set(reply)
        try:
            await bot.application.process_update(update)
        finally:
            webhook_reply.reset(token)
    except web.HTTPRequestEntityTooLarge:
        logger.warning("telegram webhook: a body over the size limit was ignored")
    except Exception as exc:  # Telegram would only retry it: answered, and logged
        logger.error("telegram webhook: update failed\n%s", masked_traceback(exc))
    return _ok(reply)


def _unused_dropped(body: dict[str, Any]) -> dict[str, Any]:
    """`body` without the buttons of a tapped message, which no handler reads (the chat state
    knows the live menu): PTB builds an object per button and field, and parsing them cost
    about a third of a tap's `Update.de_json` (bench/RESULTS.md, Telegram session 9)."""
    query = body.get("callback_query")
    message = query.get("message") if isinstance(query, dict) else None
    if isinstance(message, dict):
        message.pop("reply_markup", None)
    return body


def _answer_by_default(reply: WebhookReply, body: dict[str, Any]) -> None:
    """A callback query is answered in the webhook's answer unless a handler answers it
    otherwise: every tap is answered (a redelivered one again: its first answer may be what
    got lost), whatever its handler does."""
    query = body.get("callback_query")
    query_id = query.get("id") if isinstance(query, dict) else None
    if isinstance(query_id, str):
        reply.take(ANSWER, callback_query_id=query_id)
