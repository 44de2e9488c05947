"""The bot's commands, taps that can no longer act, and what a chat shows along the way."""

from __future__ import annotations

import pytest

from gateway.channels.telegram_chat import (
    HELP,
    STALE,
    TEXT_ONLY,
    UNKNOWN_BUTTON,
    UNKNOWN_COMMAND,
)
from gateway.channels.telegram_state import CHAT_TTL_S
from tests.ussd.conftest import customer

PHONE = "+2348011111111"
PIN = "7391"


async def _linked(gateway, chat, naira: int = 2_500, pin: str | None = PIN):
    await customer(gateway, PHONE, naira=naira, pin=pin)
    ada = chat()
    await ada.link(PHONE)
    return ada


async def test_balance_shows_the_wallet_in_naira_and_kobo(gateway, chat):
    ada = await _linked(gateway, chat)
    await ada.command("/balance")
    assert ada.screen == "Wallet balance: ₦2,500.00"
    assert ada.buttons == ["Back", "Menu"]


async def test_balance_works_from_the_middle_of_a_purchase(gateway, chat):
    ada = await _linked(gateway, chat)
    await ada.tap("Airtime")
    await ada.tap("My number")
    await ada.command("/balance")
    assert ada.screen == "Wallet balance: ₦2,500.00"


async def test_history_lists_the_last_purchases(gateway, chat):
    ada = await _linked(gateway, chat)
    await ada.command("/history")
    assert ada.screen == "No purchases yet."


async def test_fund_shows_the_callers_own_account_number(gateway, chat):
    ada = await _linked(gateway, chat)
    await ada.command("/fund")
    assert ada.screen.startswith("Fund your PayLink wallet by bank transfer to your own account:")
    assert "Account number: " in ada.screen
    assert ada.buttons == ["Back", "Menu"]


async def test_a_user_without_a_pin_is_asked_to_set_one_before_the_balance(gateway, chat):
    ada = await _linked(gateway, chat, pin=None)
    await ada.command("/balance")
    assert "Create a 4-digit PIN" in ada.screen


async def test_cancel_drops_what_was_under_way_and_shows_the_menu(gateway, chat, fake_bot_api):
    ada = await _linked(gateway, chat)
    for key in ("1", "1", "1", "500"):
        await ada.press(key)
    confirm = ada.menu
    assert "Enter PIN to pay:" in ada.screen
    await ada.command("/cancel")
    assert ada.screen.startswith("Cancelled.\nPayLink")
    assert fake_bot_api.message(ada.id, confirm.message_id).buttons == []
    await ada.say(PIN)  # no longer a PIN answer: kept in the chat, no purchase
    assert fake_bot_api.calls_of("deleteMessage") == []
    assert ada.screen.startswith("Invalid choice.")


async def test_every_pin_attempt_is_deleted_even_a_wrong_one(gateway, chat, fake_bot_api):
    ada = await _linked(gateway, chat)
    for key in ("1", "1", "1", "500"):
        await ada.press(key)
    await ada.say("2468")
    assert ada.screen.startswith("Wrong PIN.")
    await ada.say(PIN)
    assert ada.screen.startswith("Request received.")
    assert len(fake_bot_api.calls_of("deleteMessage")) == 2
    assert [m.text for m in fake_bot_api.chat(ada.id) if not m.from_bot] == ["/start", "500"]


async def test_menu_on_an_ending_opens_the_menu_in_place(gateway, chat, fake_bot_api):
    ada = await _linked(gateway, chat)
    for key in ("1", "1", "1", "500"):
        await ada.press(key)
    await ada.say(PIN)
    ending = ada.menu
    await ada.tap("Menu")
    assert ada.menu.message_id == ending.message_id
    assert ada.screen == "PayLink"


async def test_a_tap_on_an_older_menu_is_answered_and_changes_nothing(gateway, chat, fake_bot_api):
    ada = await _linked(gateway, chat)
    first = ada.menu
    await ada.command("/menu")  # a new menu message
    assert ada.menu.message_id != first.message_id
    edits = ada.menu.edits
    await ada.deliver(fake_bot_api.tap_data(ada.user, first, "k:1"))
    assert fake_bot_api.calls_of("answerCallbackQuery")[-1]["text"] == STALE
    assert ada.menu.edits == edits
    assert ada.screen == "PayLink"


async def test_a_button_this_bot_never_made_is_answered_and_ignored(gateway, chat, fake_bot_api):
    ada = await _linked(gateway, chat)
    await ada.deliver(fake_bot_api.tap_data(ada.user, ada.menu, "amount:500"))
    assert fake_bot_api.calls_of("answerCallbackQuery")[-1]["text"] == UNKNOWN_BUTTON
    assert ada.screen == "PayLink"
    assert fake_bot_api.unanswered_callbacks() == []


async def test_help_lists_every_command(gateway, chat):
    ada = chat()
    await ada.command("/help")
    assert ada.screen == HELP
    commands = ("/start", "/menu", "/balance", "/history", "/fund", "/cancel", "/help", "/unlink")
    for command in commands:
        assert command in HELP


async def test_an_unknown_command_says_so(gateway, chat):
    ada = chat()
    await ada.command("/pay500")
    assert ada.screen == UNKNOWN_COMMAND


async def test_a_sticker_is_answered_with_what_the_bot_understands(gateway, chat, fake_bot_api):
    ada = chat()
    await ada.deliver(fake_bot_api.sticker(ada.user))
    assert ada.screen == TEXT_ONLY


# PTB 22 warns inside its own `RetryAfter.__init__` (retry_after becomes a timedelta in v23)
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_flood_answer_to_a_reply_waits_and_the_reply_still_arrives(
    gateway, chat, fake_bot_api
):
    ada = await _linked(gateway, chat)
    fake_bot_api.fail("editMessageText", 429, retry_after=1)
    await ada.tap("Wallet")
    assert ada.screen == "Wallet:"
    assert len(fake_bot_api.calls_of("editMessageText")) == 2
    assert fake_bot_api.unanswered_callbacks() == []


async def test_a_menu_stays_live_a_day_after_the_chats_last_update(embedded, chat, sim_clock):
    # taps that edit the menu in place change nothing to save: each still renews the day
    ada = await _linked(embedded, chat)
    menu = ada.menu.message_id
    await ada.tap("Airtime")
    sim_clock.advance(CHAT_TTL_S - 60)
    await ada.tap("Menu")
    sim_clock.advance(CHAT_TTL_S - 60)
    await ada.tap("Airtime")
    assert ada.menu.message_id == menu
    assert ada.screen.startswith("Buy airtime for:")
