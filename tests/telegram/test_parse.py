"""The webhook's fast parse builds exactly what python-telegram-bot's `Update.de_json` builds.

Every attribute (slots included: the bot, the equality attributes, the frozen flag, caches) of
every object in the update is compared, for the shapes the fast path builds; shapes it does not
build must come out of `Update.de_json` itself.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from telegram import Bot, TelegramObject, Update
from telegram.ext import Defaults, ExtBot

from gateway.channels.telegram_parse import parse_update

TOKEN = "123456:TEST-token_for-the-fake-bot-api"
USER = {"id": 7_000_001, "is_bot": False, "first_name": "Ada"}
CHAT = {"id": 7_000_001, "type": "private", "first_name": "Ada"}
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "PayLink",
    "username": "paylink_test_bot",
    "can_join_groups": False,
    "supports_inline_queries": False,
}
COMMAND = {"type": "bot_command", "offset": 0, "length": 5}


def text(**extra: Any) -> dict[str, Any]:
    message = {"message_id": 5, "date": 1_700_000_000, "chat": CHAT, "from": USER, "text": "500"}
    return {"update_id": 1, "message": message | extra}


def tap(**extra: Any) -> dict[str, Any]:
    menu = {"message_id": 4, "date": 1_700_000_000, "chat": CHAT, "from": BOT_USER, "text": "Hi"}
    query = {"id": "cb1", "from": USER, "chat_instance": "ci1", "data": "k:1", "message": menu}
    return {"update_id": 2, "callback_query": query | extra}


MENU = tap()["callback_query"]["message"]
BARE_TAP = {"id": "cb2", "from": USER, "chat_instance": "c", "data": "k:2"}
FAST = {
    "text": text(),
    "command": text(text="/menu", entities=[COMMAND]),
    "command with a mention": text(text="/menu@paylink_bot", entities=[COMMAND | {"length": 17}]),
    "full names": text(
        chat=CHAT | {"last_name": "L", "username": "ada"},
        **{"from": USER | {"last_name": "L", "username": "ada", "language_code": "en"}},
    ),
    "tap": tap(),
    "tap on an edited menu": tap(message=MENU | {"edit_date": 1_700_000_100}),
    "tap without its message": {"update_id": 3, "callback_query": BARE_TAP},
}
OTHERS = {
    "contact": text(contact={"phone_number": "+2348031234567", "first_name": "Ada", "user_id": 1}),
    "sticker": {"update_id": 4, "message": {**text()["message"], "sticker": {"file_id": "s"}}},
    "group": text(chat={"id": -5, "type": "group", "title": "Friends", "all_members": True}),
    "inaccessible message": tap(message={"message_id": 4, "date": 0, "chat": CHAT}),
    "edited message": {"update_id": 5, "edited_message": text()["message"]},
    "a date as text": text(date="1700000000"),
    "entities not a list": text(entities={"type": "bold"}),
    "a mention with its user": text(entities=[COMMAND | {"type": "text_mention", "user": USER}]),
    "no update_id": {"message": text()["message"]},
}


def state(obj: Any, bot: Bot, seen: int = 0) -> Any:
    """Everything an object holds, recursively (the bot as a marker)."""
    if obj is bot:
        return "<the bot>"
    if isinstance(obj, TelegramObject):
        slots = sorted({s for c in type(obj).__mro__ for s in getattr(c, "__slots__", ())})
        held = {s: getattr(obj, s, "<unset>") for s in slots if s != "__weakref__"}
        return type(obj), {name: state(value, bot, seen + 1) for name, value in held.items()}
    if isinstance(obj, tuple | list):
        return [state(item, bot, seen + 1) for item in obj]
    if isinstance(obj, dict):
        return {k: state(v, bot, seen + 1) for k, v in obj.items()}
    return obj


@pytest.fixture(params=["plain", "with a time zone"])
def bot(request: pytest.FixtureRequest) -> Bot:
    if request.param == "plain":
        return Bot(TOKEN)
    return ExtBot(TOKEN, defaults=Defaults(tzinfo=dt.timezone(dt.timedelta(hours=1))))


@pytest.mark.parametrize("name", list(FAST))
def test_the_fast_path_builds_what_de_json_builds(
    name: str, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = FAST[name]
    expected = state(Update.de_json(copy.deepcopy(body), bot), bot)
    with monkeypatch.context() as patch:  # the fast path, not PTB's
        patch.setattr(Update, "de_json", None)
        fast = parse_update(copy.deepcopy(body), bot)
    assert state(fast, bot) == expected
    assert type(fast) is Update
    with pytest.raises(AttributeError):  # frozen, as PTB leaves its objects
        fast.update_id = 9  # type: ignore[misc]


@pytest.mark.parametrize("name", list(OTHERS))
def test_other_shapes_are_parsed_by_de_json(name: str, bot: Bot) -> None:
    body = OTHERS[name]
    try:
        expected = state(Update.de_json(copy.deepcopy(body), bot), bot)
    except Exception as exc:  # then the same failure
        with pytest.raises(type(exc)):
            parse_update(copy.deepcopy(body), bot)
        return
    assert state(parse_update(copy.deepcopy(body), bot), bot) == expected
