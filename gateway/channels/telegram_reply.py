"""One Bot API call carried in the webhook's HTTP answer instead of a request of its own.

Why (bench/RESULTS.md, "Telegram ... session 8"): Telegram accepts one method call as the
answer to a webhook POST (`{"method": "answerCallbackQuery", ...}`), which saves the gateway a
whole outgoing request, its CPU and a connection. Telegram never says whether that call
succeeded, so only calls whose failure we would ignore anyway go this way: the answer to a
callback query (no text, or a short notice) and taking the buttons off an old menu.

The slot lives in a context variable set by the webhook for the update it handles (the
handlers run inside that call); under long polling there is none, and the handlers make the
requests themselves. The webhook fills the slot with the callback query's answer before any
handler runs, so a tap is answered even when its handler fails.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

ANSWER = "answerCallbackQuery"
STRIP = "editMessageReplyMarkup"


class WebhookReply:
    """At most one call; the first one offered wins."""

    __slots__ = ("call",)

    def __init__(self) -> None:
        self.call: dict[str, Any] | None = None

    def take(self, method: str, **params: Any) -> bool:
        """Carry `method` in the answer; False when the slot is already taken."""
        if self.call is not None:
            return False
        self.call = {"method": method, **params}
        return True

    def answers(self, query_id: str) -> bool:
        """Whether the slot holds the answer to callback query `query_id`."""
        call = self.call
        if call is None or call["method"] != ANSWER:
            return False
        return bool(call["callback_query_id"] == query_id)


webhook_reply: ContextVar[WebhookReply | None] = ContextVar("telegram_webhook_reply", default=None)


def answer_in_reply(query_id: str, text: str | None) -> bool:
    """Put `text` on the webhook's answer to callback query `query_id`, when it carries it."""
    slot = webhook_reply.get()
    if slot is None or slot.call is None or not slot.answers(query_id):
        return False
    if text is not None:
        slot.call["text"] = text
    return True


def strip_in_reply(chat_id: int, message_id: int) -> bool:
    """Take the buttons off message `message_id` in the webhook's answer, if the slot is free."""
    slot = webhook_reply.get()
    return slot is not None and slot.take(STRIP, chat_id=chat_id, message_id=message_id)
