"""An incoming update as python-telegram-bot's `Update`, built faster for the two common shapes.

Why (bench/RESULTS.md, "Session 8: Telegram updates"): `Update.de_json` was a fifth of the
gateway's work on an update. PTB's objects refuse attribute changes once built, so each of the
~240 attributes an update sets (about 120 on a `Message` alone) goes through a Python-level
`__setattr__`, and `Message.de_json` asks for each of its ~60 optional parts whether it is there.

What is the same: the objects. They are PTB's own classes built by PTB's own constructors
(`Message(...)`, `User(...)`, ...), so everything a constructor derives (enums, tuples, the
equality attributes, the frozen flag) is PTB's; they are only built as a subclass whose
attribute setting is `object.__setattr__` and then turned into the class itself. The parts
`de_json` converts before a constructor (dates in the bot's time zone, `from` as a `User`,
entities) are converted with PTB's helpers, and every object gets the bot (`set_bot`), as
`de_json` does. A test compares every attribute with `Update.de_json`'s for these shapes.

Which shapes: a text message (a command with its entities too) and a callback query on a text
message, in a chat with the usual fields. Anything else (another kind, a field not listed here,
an unexpected type) goes to `Update.de_json` as it came.
"""

from __future__ import annotations

from typing import Any, TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    Message,
    MessageEntity,
    TelegramObject,
    Update,
    User,
)
from telegram._utils.datetime import extract_tzinfo_from_defaults, from_timestamp

T = TypeVar("T", bound=TelegramObject)
SCALARS = (str, int, bool)
USER_FIELDS = frozenset(
    {
        "id", "is_bot", "first_name", "last_name", "username", "language_code", "is_premium",
        "added_to_attachment_menu", "can_join_groups", "can_read_all_group_messages",
        "supports_inline_queries", "can_connect_to_business", "has_main_web_app",
    }
)  # fmt: skip
CHAT_FIELDS = frozenset({"id", "type", "title", "username", "first_name", "last_name"})
ENTITY_FIELDS = frozenset({"type", "offset", "length", "url", "language", "custom_emoji_id"})
MESSAGE_FIELDS = frozenset({"message_id", "date", "chat", "from", "text", "entities", "edit_date"})
QUERY_FIELDS = frozenset({"id", "from", "chat_instance", "data", "message"})


class _Unusual(Exception):
    """A part this module does not build."""


def _fast(cls: type[Any]) -> type[Any]:
    """`cls` with plain attribute setting (its constructor then skips the frozen check)."""
    return type(f"Fast{cls.__name__}", (cls,), {"__slots__": (), "__setattr__": object.__setattr__})


_FAST: dict[type[Any], type[Any]] = {
    cls: _fast(cls) for cls in (Update, Message, User, Chat, MessageEntity, CallbackQuery)
}


def _build(cls: type[T], bot: Bot, **kwargs: Any) -> T:
    obj: T = _FAST[cls](**kwargs)
    obj.__class__ = cls
    obj.set_bot(bot)
    return obj


def parse_update(body: dict[str, Any], bot: Bot) -> Update:
    """`Update.de_json(body, bot)`, built faster for a text message or a tap."""
    update_id = body.get("update_id")
    try:
        if type(update_id) is not int:
            raise _Unusual
        if len(body) == 2 and "message" in body:
            message = _message(body["message"], bot)
            return _build(Update, bot, update_id=update_id, message=message)
        if len(body) == 2 and "callback_query" in body:
            query = _query(body["callback_query"], bot)
            return _build(Update, bot, update_id=update_id, callback_query=query)
    except _Unusual:
        pass
    return Update.de_json(body, bot)


def _fields(data: Any, allowed: frozenset[str]) -> dict[str, Any]:
    """`data` when it is an object of scalars (besides the parts the caller converts) whose
    fields are all `allowed`."""
    if not isinstance(data, dict) or not allowed.issuperset(data):
        raise _Unusual
    return data


def _scalars(data: Any, allowed: frozenset[str]) -> dict[str, Any]:
    fields = _fields(data, allowed)
    if not all(isinstance(value, SCALARS) for value in fields.values()):
        raise _Unusual
    return fields


def _user(data: Any, bot: Bot) -> User:
    return _build(User, bot, **_scalars(data, USER_FIELDS))


def _when(value: Any, bot: Bot) -> Any:
    if type(value) is not int or value == 0:  # 0: an inaccessible message, PTB's own class
        raise _Unusual
    return from_timestamp(value, tzinfo=extract_tzinfo_from_defaults(bot))


def _message(data: Any, bot: Bot) -> Message:
    fields = dict(_fields(data, MESSAGE_FIELDS))
    if "from" in fields:
        fields["from_user"] = _user(fields.pop("from"), bot)
    fields["chat"] = _build(Chat, bot, **_scalars(fields.get("chat"), CHAT_FIELDS))
    fields["date"] = _when(fields.get("date"), bot)
    if "edit_date" in fields:
        fields["edit_date"] = _when(fields["edit_date"], bot)
    if "entities" in fields:
        entities = fields["entities"]
        if not isinstance(entities, list):
            raise _Unusual
        fields["entities"] = tuple(
            _build(MessageEntity, bot, **_scalars(entity, ENTITY_FIELDS)) for entity in entities
        )
    for name in ("message_id", "text"):
        if not isinstance(fields.get(name), SCALARS):
            raise _Unusual
    return _build(Message, bot, **fields)


def _query(data: Any, bot: Bot) -> CallbackQuery:
    fields = dict(_fields(data, QUERY_FIELDS))
    fields["from_user"] = _user(fields.pop("from", None), bot)
    if "message" in fields:
        fields["message"] = _message(fields["message"], bot)
    for name in ("id", "chat_instance", "data"):
        if not isinstance(fields.get(name), SCALARS):
            raise _Unusual
    return _build(CallbackQuery, bot, **fields)
