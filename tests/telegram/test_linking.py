"""Linking a Telegram user to a PayLink phone by the contact they share, and unlinking."""

from __future__ import annotations

from sqlalchemy import select

from gateway.channels.telegram_linking import FORWARDED, NOT_NIGERIAN, PROMPT, UNLINKED
from gateway.store import chat_links
from gateway.store.tables import User
from tests.ussd.conftest import customer

PHONE = "+2348031234567"
PIN = "7391"


async def _linked_phone(gateway, user_id: int) -> str | None:
    async with gateway.db() as session:
        return await chat_links.phone_of(session, "telegram", str(user_id))


def _asks_for_contact(message) -> bool:
    rows = (message.reply_markup or {}).get("keyboard", [])
    return any(button.get("request_contact") for row in rows for button in row)


async def test_start_asks_an_unlinked_user_to_share_their_number(gateway, chat, fake_bot_api):
    ada = chat()
    await ada.command("/start")
    assert ada.screen == PROMPT
    assert _asks_for_contact(fake_bot_api.last(ada.id))


async def test_any_message_from_an_unlinked_user_asks_for_the_number(gateway, chat, fake_bot_api):
    ada = chat()
    await ada.say("hello")
    assert ada.screen == PROMPT
    assert _asks_for_contact(fake_bot_api.last(ada.id))


async def test_sharing_their_own_number_registers_a_new_user_and_asks_for_a_pin(gateway, chat):
    ada = chat()
    await ada.link(PHONE)
    assert await _linked_phone(gateway, ada.id) == PHONE
    async with gateway.db() as session:
        user = (await session.execute(select(User).where(User.phone == PHONE))).scalar_one()
    assert user.pin_hash is None
    assert "Create a 4-digit PIN" in ada.screen
    await ada.say(PIN)
    await ada.say(PIN)
    assert ada.screen.startswith("PIN saved.")
    assert "Airtime" in ada.buttons


async def test_a_user_with_a_pin_goes_straight_to_the_menu(gateway, chat):
    await customer(gateway, PHONE, pin=PIN)
    ada = chat()
    await ada.link(PHONE)
    assert ada.screen == "PayLink"
    assert "Wallet" in ada.buttons


async def test_a_number_shared_without_the_plus_is_accepted(gateway, chat):
    ada = chat()
    await ada.command("/start")
    await ada.share_contact(PHONE, plus=False)
    assert await _linked_phone(gateway, ada.id) == PHONE


async def test_a_forwarded_contact_is_refused_saying_why(gateway, chat, fake_bot_api):
    ada = chat()
    await ada.command("/start")
    await ada.share_contact(PHONE, owner=999_999)  # someone else's card
    assert ada.screen == FORWARDED
    assert _asks_for_contact(fake_bot_api.last(ada.id))
    await ada.share_contact(PHONE, owner=None)  # a card with no Telegram account behind it
    assert ada.screen == FORWARDED
    assert await _linked_phone(gateway, ada.id) is None


async def test_a_foreign_number_is_refused(gateway, chat):
    ada = chat()
    await ada.command("/start")
    await ada.share_contact("+447700900123")
    assert ada.screen == NOT_NIGERIAN
    assert await _linked_phone(gateway, ada.id) is None


async def test_unlink_removes_the_link_and_the_live_buttons(gateway, chat, fake_bot_api):
    await customer(gateway, PHONE, pin=PIN)
    ada = chat()
    await ada.link(PHONE)
    menu = ada.menu
    await ada.command("/unlink")
    assert ada.screen == UNLINKED
    assert await _linked_phone(gateway, ada.id) is None
    assert fake_bot_api.message(ada.id, menu.message_id).buttons == []
    await ada.say("1")
    assert ada.screen == PROMPT


async def test_a_tap_on_a_menu_from_before_the_unlink_does_nothing(gateway, chat, fake_bot_api):
    await customer(gateway, PHONE, pin=PIN)
    ada = chat()
    await ada.link(PHONE)
    menu = ada.menu
    await ada.command("/unlink")
    sent = len(fake_bot_api.calls_of("sendMessage"))
    await ada.deliver(fake_bot_api.tap_data(ada.user, menu, "k:1"))
    assert fake_bot_api.calls_of("answerCallbackQuery")[-1]["text"].startswith("This menu")
    assert len(fake_bot_api.calls_of("sendMessage")) == sent
    assert fake_bot_api.unanswered_callbacks() == []


async def test_the_same_number_shared_from_another_account_moves_the_link(gateway, chat):
    await customer(gateway, PHONE, pin=PIN)
    old, new = chat(1001, "Old phone"), chat(1002, "New phone")
    await old.link(PHONE)
    await new.link(PHONE)
    assert await _linked_phone(gateway, new.id) == PHONE
    assert await _linked_phone(gateway, old.id) is None
    await old.say("1")
    assert old.screen == PROMPT


async def test_relinking_to_another_number_starts_a_fresh_conversation(gateway, chat):
    await customer(gateway, PHONE, pin=PIN)
    await customer(gateway, "+2348051234567", pin=PIN)
    ada = chat()
    await ada.link(PHONE)
    await ada.tap("Airtime")
    await ada.command("/start")
    await ada.share_contact("+2348051234567")
    assert ada.screen == "PayLink"  # not "this session belongs to another phone"
    await ada.tap("Airtime")
    assert "My number" in ada.buttons
