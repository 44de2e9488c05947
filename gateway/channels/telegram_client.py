"""PTB's `ExtBot` with the two calls every update makes answered without building a `Message`.

Why (bench/RESULTS.md, "Telegram ... session 8"): `send_message` and `edit_message_text`
parse the whole message Telegram answers with (`Message.de_json`: the chat, the sender, the
keyboard, button by button), the largest single cost of an update after the conversation,
while the chat handlers need only the new message's id. These methods go the same way as PTB's
own (`_post`: defaults, the rate limiter, the request, PTB's errors from the answer) and stop
before the parse.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import ExtBot


class GatewayBot(ExtBot[Any]):
    """The Application's bot (`telegram_bot.build_application`)."""

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        parse_mode: str | None = None,
        reply_markup: Any = None,
    ) -> int:
        """`sendMessage`; the new message's id. `reply_markup`: PTB's object or the Bot API's
        dict (`telegram_render.Rendered.markup`)."""
        data = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": parse_mode,
            "reply_markup": reply_markup,
        }
        result = await self._post("sendMessage", data)
        return int(result["message_id"])

    async def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | InlineKeyboardMarkup | None = None,
    ) -> None:
        """`editMessageText` of a message the bot sent."""
        data = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "parse_mode": parse_mode,
            "reply_markup": reply_markup,
        }
        await self._post("editMessageText", data)
