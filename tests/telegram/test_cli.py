"""`paylink telegram set-webhook URL | delete-webhook | poll`, against the fake Bot API.

The commands run as an operator runs them (`gateway.cli.main` in a thread, its own event loop);
long polling runs the gateway app with the bot on `getUpdates`, through the same handlers.
"""

from __future__ import annotations

import pytest

from gateway.app import create_app
from gateway.channels.telegram_bot import telegram_polling_key
from gateway.worker.keys import worker_config_key
from tests.cli.conftest import keep_logging, paylink  # noqa: F401 - an autouse fixture
from tests.fixtures.fake_bot_api import TOKEN
from tests.telegram.conftest import WEBHOOK_SECRET, telegram_settings
from tests.ussd.conftest import customer
from tests.worker.harness import FAST, CountingTransport, Harness, eventually, gateway_settings

URL = "https://paylink.example/telegram/webhook"


def _env(api, **extra: str) -> dict[str, str]:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "PAYLINK_LOG_LEVEL": "ERROR",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v}


async def test_set_webhook_gives_telegram_the_url_the_secret_and_the_update_kinds(
    fake_bot_api, capsys
):
    assert await paylink(_env(fake_bot_api), "telegram", "set-webhook", URL) == 0
    assert fake_bot_api.webhook == {
        "url": URL,
        "secret_token": WEBHOOK_SECRET,
        "allowed_updates": ["message", "callback_query"],
    }
    assert URL in capsys.readouterr().out


async def test_set_webhook_without_a_secret_is_refused(fake_bot_api, capsys):
    env = _env(fake_bot_api, TELEGRAM_WEBHOOK_SECRET="")
    assert await paylink(env, "telegram", "set-webhook", URL) == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in capsys.readouterr().err
    assert fake_bot_api.webhook is None


async def test_delete_webhook_removes_it(fake_bot_api):
    fake_bot_api.webhook = {"url": URL, "secret_token": WEBHOOK_SECRET}
    assert await paylink(_env(fake_bot_api), "telegram", "delete-webhook") == 0
    assert fake_bot_api.webhook is None


@pytest.mark.parametrize("action", [("set-webhook", URL), ("delete-webhook",), ("poll",)])
async def test_without_a_bot_token_every_action_is_a_usage_error(fake_bot_api, capsys, action):
    env = _env(fake_bot_api, TELEGRAM_BOT_TOKEN="")
    assert await paylink(env, "telegram", *action) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


async def test_a_token_telegram_refuses_is_reported_without_the_token(fake_bot_api, capsys):
    wrong = "999999:WRONG-token_for-the-fake-bot-api"
    env = _env(fake_bot_api, TELEGRAM_BOT_TOKEN=wrong)
    assert await paylink(env, "telegram", "set-webhook", URL) == 2
    err = capsys.readouterr().err
    assert "refused TELEGRAM_BOT_TOKEN" in err
    assert wrong not in err


async def test_a_bot_api_that_cannot_be_reached_is_exit_3(fake_bot_api, capsys):
    env = _env(fake_bot_api, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    assert await paylink(env, "telegram", "delete-webhook") == 3
    err = capsys.readouterr().err
    assert "cannot be reached" in err
    assert TOKEN not in err


async def test_polling_serves_the_same_handlers_through_get_updates(
    fake_bot_api, simulator, sim_clock, pg_url, pg_sessionmaker, aiohttp_server, chat
):
    fake_bot_api.webhook = {"url": URL, "secret_token": WEBHOOK_SECRET}  # set earlier
    app = create_app(
        gateway_settings(pg_url, simulator, **telegram_settings(fake_bot_api)),
        vtpass_transport=CountingTransport(),
        clock=sim_clock,
    )
    app[worker_config_key] = FAST
    app[telegram_polling_key] = True  # what `paylink telegram poll` sets
    await aiohttp_server(app)
    gateway = Harness(app, "", simulator, CountingTransport(), sim_clock, None)  # type: ignore[arg-type]
    await customer(gateway, "08011111111", pin="7391")
    assert fake_bot_api.webhook is None  # polling removed it: Telegram allows one or the other

    ada = chat()
    fake_bot_api.enqueue(fake_bot_api.command(ada.user, "/start"))
    await eventually(lambda: _said(fake_bot_api, ada.id, "link your phone number"), 5)
    fake_bot_api.enqueue(fake_bot_api.contact(ada.user, "+2348011111111"))
    await eventually(lambda: _said(fake_bot_api, ada.id, "PayLink", exactly=True), 5)
    fake_bot_api.enqueue(fake_bot_api.tap(ada.user, ada.menu, "Wallet"))
    await eventually(lambda: _said(fake_bot_api, ada.id, "Wallet:"), 5)
    assert fake_bot_api.unanswered_callbacks() == []
    gets = fake_bot_api.calls_of("getUpdates")
    assert gets[0]["allowed_updates"] == ["message", "callback_query"]


async def _said(api, chat_id: int, text: str, *, exactly: bool = False) -> bool:
    sent = api.bot_messages(chat_id)
    if not sent:
        return False
    shown = sent[-1].visible
    return shown == text if exactly else text in shown
