"""`POST /telegram/webhook`: only Telegram (by its secret) gets in, each update is taken once,
and nothing Telegram sends makes the gateway answer 5xx.
"""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp.test_utils import make_mocked_request

from gateway.channels.telegram import authentic
from gateway.settings import Secret, Settings
from tests.telegram.conftest import WEBHOOK_SECRET, _serve
from tests.ussd.conftest import REDIS_URL
from tests.worker.harness import eventually

PHONE = "+2348011111111"


async def test_a_wrong_secret_is_refused_and_nothing_is_done(gateway, chat, fake_bot_api):
    ada = chat()
    update = fake_bot_api.command(ada.user, "/help")
    calls = len(fake_bot_api.calls)

    assert await fake_bot_api.deliver(update, secret="not-the-secret") == 403
    assert len(fake_bot_api.calls) == calls  # the bot said nothing
    # and the update was not taken: Telegram's retry with the right secret is served
    assert await fake_bot_api.deliver(update) == 200
    assert "PayLink buys airtime" in ada.screen


async def test_a_missing_secret_is_refused(gateway, chat, fake_bot_api):
    update = fake_bot_api.command(chat().user, "/help")
    calls = len(fake_bot_api.calls)
    assert await fake_bot_api.deliver(update, secret=None) == 403
    assert len(fake_bot_api.calls) == calls


@pytest.mark.parametrize(
    ("configured", "sent", "accepted"),
    [
        (WEBHOOK_SECRET, WEBHOOK_SECRET, True),
        (WEBHOOK_SECRET, WEBHOOK_SECRET + "x", False),
        (WEBHOOK_SECRET, WEBHOOK_SECRET[:-1], False),
        (WEBHOOK_SECRET, None, False),
        (None, WEBHOOK_SECRET, False),  # no secret configured: the webhook takes nothing
        (None, None, False),
    ],
)
def test_the_secret_header_must_match_the_configured_secret(configured, sent, accepted):
    settings = Settings(telegram_webhook_secret=None if configured is None else Secret(configured))
    headers = {} if sent is None else {"X-Telegram-Bot-Api-Secret-Token": sent}
    request = make_mocked_request("POST", "/telegram/webhook", headers=headers)
    assert authentic(request, settings) is accepted


async def test_a_repeated_update_is_answered_once(gateway, chat, fake_bot_api):
    ada = chat()
    update = fake_bot_api.command(ada.user, "/help")
    assert await fake_bot_api.deliver(update) == 200
    assert await fake_bot_api.deliver(update) == 200  # Telegram redelivered it
    assert len(fake_bot_api.calls_of("sendMessage")) == 1


async def test_a_repeated_update_is_dropped_by_another_gateway_process_too(
    gateway, chat, fake_bot_api, simulator, sim_clock, pg_url, aiohttp_server, redis_prefix
):
    other, control = await _serve(
        aiohttp_server,
        fake_bot_api,
        simulator,
        sim_clock,
        pg_url,
        redis_url=Secret(REDIS_URL),
        redis_prefix=redis_prefix,
    )
    try:
        update = fake_bot_api.command(chat().user, "/help")
        assert await fake_bot_api.deliver(update, url=f"{gateway.base_url}/telegram/webhook") == 200
        assert await fake_bot_api.deliver(update, url=f"{other.base_url}/telegram/webhook") == 200
        assert len(fake_bot_api.calls_of("sendMessage")) == 1
    finally:
        await control.aclose()


async def test_a_tap_delivered_twice_moves_the_menu_once(gateway, chat, fake_bot_api):
    ada = chat()
    await ada.link(PHONE)  # a new user: the PIN set-up comes first
    await ada.say("7391")
    await ada.say("7391")
    tap = fake_bot_api.tap(ada.user, ada.menu, "Airtime")
    assert await fake_bot_api.deliver(tap) == 200
    after_first = (ada.menu.message_id, ada.menu.edits, ada.screen)
    assert await fake_bot_api.deliver(tap) == 200
    assert (ada.menu.message_id, ada.menu.edits, ada.screen) == after_first
    assert fake_bot_api.unanswered_callbacks() == []


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", b"[]", b'{"message": {}}', b'{"update_id": "7"}', b"null"],
    ids=["broken", "not-utf8", "a-list", "no-update-id", "string-id", "null"],
)
async def test_a_body_that_is_not_an_update_is_answered_200_and_logged(
    gateway, fake_bot_api, caplog, body
):
    calls = len(fake_bot_api.calls)
    with caplog.at_level(logging.INFO, logger="gateway.channels.telegram"):
        assert await fake_bot_api.deliver({}, body=body) == 200
    assert any("ignored" in r.getMessage() for r in caplog.records)
    assert len(fake_bot_api.calls) == calls


@pytest.mark.parametrize("kind", ["edited_message", "channel_post", "my_chat_member", "poll"])
async def test_an_update_of_a_kind_the_bot_does_not_serve_is_answered_200_and_logged(
    gateway, fake_bot_api, caplog, kind
):
    calls = len(fake_bot_api.calls)
    body = json.dumps({"update_id": 991, kind: {"whatever": True}}).encode()
    with caplog.at_level(logging.INFO, logger="gateway.channels.telegram"):
        assert await fake_bot_api.deliver({}, body=body) == 200
    assert any(kind in r.getMessage() for r in caplog.records)
    assert len(fake_bot_api.calls) == calls


async def test_a_malformed_message_is_answered_200_and_logged(gateway, fake_bot_api, caplog):
    body = json.dumps({"update_id": 992, "message": {"message_id": "x"}}).encode()
    with caplog.at_level(logging.INFO, logger="gateway.channels.telegram"):
        assert await fake_bot_api.deliver({}, body=body) == 200
    assert caplog.records  # a line says why
    assert fake_bot_api.calls_of("sendMessage") == []


async def test_a_group_chat_gets_no_answer(gateway, chat, fake_bot_api):
    ada = chat()
    await ada.link(PHONE)
    sent = len(fake_bot_api.calls_of("sendMessage"))
    assert await fake_bot_api.deliver(fake_bot_api.text(ada.user, "1", group=True)) == 200
    assert await fake_bot_api.deliver(fake_bot_api.command(ada.user, "/menu")) == 200
    assert len(fake_bot_api.calls_of("sendMessage")) == sent + 1  # only the private /menu


async def test_until_the_bot_has_started_updates_are_left_for_telegram_to_redeliver(
    fake_bot_api, simulator, sim_clock, pg_url, pg_sessionmaker, aiohttp_server, chat
):
    fake_bot_api.fail("getMe", 502)  # Telegram cannot be reached as the gateway starts
    _made, control = await _serve(aiohttp_server, fake_bot_api, simulator, sim_clock, pg_url)
    try:
        update = fake_bot_api.command(chat().user, "/help")
        assert await fake_bot_api.deliver(update) == 503
        # the start is retried in the background; the same update then gets its answer
        assert await eventually(lambda: _delivered(fake_bot_api, update), timeout=5)
        assert len(fake_bot_api.calls_of("sendMessage")) == 1
        assert len(fake_bot_api.calls_of("getMe")) == 2
    finally:
        await control.aclose()


async def _delivered(api, update) -> bool:
    return await api.deliver(update) == 200


async def test_the_commands_are_registered_with_telegram_at_start(gateway, fake_bot_api):
    names = [c["command"] for c in fake_bot_api.commands]
    assert names == ["start", "menu", "balance", "history", "fund", "cancel", "help", "unlink"]


async def test_a_tap_is_answered_in_the_webhooks_answer_not_by_a_request(
    gateway, chat, fake_bot_api
):
    ada = chat()
    await ada.link(PHONE)
    await ada.say("7391")
    await ada.say("7391")
    await ada.tap("Airtime")
    answers = [c for c in fake_bot_api.calls if c.method == "answerCallbackQuery"]
    assert [c.in_webhook_answer for c in answers] == [True]
    assert fake_bot_api.unanswered_callbacks() == []


async def test_a_typed_answer_takes_the_old_menus_buttons_off_in_the_webhooks_answer(
    gateway, chat, fake_bot_api
):
    ada = chat()
    await ada.link(PHONE)
    await ada.say("7391")
    await ada.say("7391")
    await ada.tap("Airtime")
    await ada.tap("My number")
    await ada.tap("MTN")
    old = ada.menu
    await ada.say("500")  # typed: a new message with the buttons
    assert old.buttons == []
    strips = [c for c in fake_bot_api.calls if c.method == "editMessageReplyMarkup"]
    assert strips[-1].in_webhook_answer
    assert strips[-1].params["message_id"] == old.message_id


async def test_a_tap_whose_reply_fails_is_still_answered(gateway, chat, fake_bot_api, caplog):
    ada = chat()
    await ada.link(PHONE)
    await ada.say("7391")
    await ada.say("7391")
    fake_bot_api.fail("editMessageText", 502, times=3)
    with caplog.at_level(logging.ERROR):
        await ada.tap("Airtime")
    assert fake_bot_api.unanswered_callbacks() == []
