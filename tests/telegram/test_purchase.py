"""Buying in a Telegram chat, end to end: buttons, a typed PIN, a receipt pushed to the chat.

The gateway on Postgres + Redis (and on the embedded default) runs the real python-telegram-bot
stack against the fake Bot API; a worker vends against the simulator and pushes each receipt
through the `TelegramNotifier`.
"""

from __future__ import annotations

import logging
import re

from gateway.domain.purchase_status import PurchaseStatus
from gateway.store import outbox
from gateway.store.outbox import OutboxMessage
from tests.telegram.chat import as_shown
from tests.ussd.conftest import customer
from tests.ussd.helpers import purchases
from tests.worker.harness import Harness, eventually

PHONE = "08011111111"  # the simulator delivers phone-keyed products to this number
PIN = "7391"
REFERENCE = re.compile(r"Request received\. Ref (PL-[2-9A-HJKMNP-TV-Z]{8})\.")
# what a USSD caller keys from the main menu to each confirm screen (tests/ussd)
KEYS: dict[str, tuple[str, ...]] = {
    "airtime": ("1", "1", "1", "500"),  # my number, network MTN (0801 has none), N500
    "data": ("2", "1", "1", "1"),  # MTN, the first plan, my number
    "electricity-bill": ("3", "1", "1", "1111111111111", "1000"),  # Ikeja, prepaid, meter
    "tv-subscription": ("4", "1", "1212121212", "1"),  # DStv, card, renew
    "education": ("5", "1", "1"),  # WAEC result checker, one PIN
}


async def _receipts(gateway: Harness, purchase_id: int) -> list[OutboxMessage]:
    async with gateway.db() as session:
        return [m for m in await outbox.for_purchase(session, purchase_id) if m.status == "sent"]


async def _pushed(gateway: Harness, purchase_id: int) -> OutboxMessage:
    """The purchase's receipt, once the worker has pushed it."""
    sent = await eventually(lambda: _receipts(gateway, purchase_id), 10, "the receipt")
    assert len(sent) == 1
    return sent[0]


async def test_airtime_is_bought_by_buttons_with_the_pin_typed(gateway, chat, fake_bot_api, caplog):
    caplog.set_level(logging.DEBUG)
    user_id = await customer(gateway, PHONE, naira=10_000, pin=PIN)
    ada = chat()
    await ada.link("+234" + PHONE[1:])
    menu = ada.menu
    assert ada.screen == "PayLink"
    assert ada.buttons[:6] == ["Airtime", "Data", "Electricity", "TV", "Exam PINs", "Wallet"]

    await ada.tap("Airtime")
    await ada.tap("My number")
    await ada.tap("MTN")
    assert "amount" in ada.screen.lower()
    await ada.say("500")  # typed: a new message with the buttons, the old one loses them
    assert "₦500.00" in ada.screen
    assert "Enter PIN to pay:" in ada.screen
    confirm = ada.menu
    assert confirm.message_id != menu.message_id
    assert fake_bot_api.message(ada.id, menu.message_id).buttons == []
    assert menu.edits >= 3  # each tap edited the menu in place

    await ada.say(PIN)

    pin_message = fake_bot_api.chat(ada.id)  # the PIN is gone from the chat
    assert all(m.text != PIN for m in pin_message)
    assert [c["message_id"] for c in fake_bot_api.calls_of("deleteMessage")] == [
        confirm.message_id + 1
    ]
    done = REFERENCE.search(ada.screen)
    assert done, ada.transcript
    assert ada.buttons == ["Menu"]
    (bought,) = await purchases(gateway, user_id)
    assert (bought.reference, bought.channel, bought.face_amount) == (done[1], "telegram", 50_000)

    receipt = await _pushed(gateway, bought.id)
    assert receipt.channel == "telegram"
    assert ada.screen == as_shown(receipt.body)  # pushed to the chat, word for word
    assert ada.screen.split("\n") == [
        "MTN Airtime: successful",
        "For 08011111111",
        "Paid ₦500.00",
        f"Ref: {done[1]}",
    ]
    assert receipt.provider_message_id == str(fake_bot_api.last(ada.id).message_id)

    assert fake_bot_api.unanswered_callbacks() == []
    for call in fake_bot_api.calls_of("sendMessage") + fake_bot_api.calls_of("editMessageText"):
        assert PIN not in call["text"]
    assert not any(PIN in r.getMessage() for r in caplog.records)


async def test_every_product_type_is_bought_in_the_chat_with_one_receipt_each(
    gateway, chat, fake_bot_api
):
    user_id = await customer(gateway, PHONE, naira=100_000, pin=PIN)
    ada = chat()
    await ada.link("+234" + PHONE[1:])
    for count, (category, keys) in enumerate(KEYS.items(), start=1):
        await ada.command("/menu")
        for key in keys:
            await ada.press(key)
        assert "Enter PIN to pay:" in ada.screen, (category, ada.transcript)
        assert "₦" in ada.screen  # Telegram shows money as ₦1,500.00
        assert ".." not in ada.screen  # no line cut to a USSD screen's width
        await ada.say(PIN)
        assert REFERENCE.search(ada.screen), (category, ada.transcript)
        newest = (await purchases(gateway, user_id))[0]
        assert (newest.category, newest.channel) == (category, "telegram")
        assert len(await purchases(gateway, user_id)) == count
        done = await gateway.wait_status(newest.id, {PurchaseStatus.DELIVERED}, timeout=10)
        receipt = await _pushed(gateway, done.id)
        pushed = fake_bot_api.last(ada.id)
        assert pushed.visible == as_shown(receipt.body)
        assert pushed.visible.startswith(f"{done.product}: successful\n"), pushed.visible
        assert f"Ref: <code>{done.reference}</code>" in pushed.text
    assert sum(gateway.transport.pays.values()) == len(KEYS)  # one /pay each, no more
    assert fake_bot_api.unanswered_callbacks() == []
    await gateway.reconciled()


async def test_the_embedded_default_buys_and_pushes_the_receipt(embedded, chat, fake_bot_api):
    user_id = await customer(embedded, PHONE, naira=10_000, pin=PIN)
    ada = chat()
    await ada.link("+234" + PHONE[1:])
    for key in KEYS["airtime"]:
        await ada.press(key)
    await ada.say(PIN)
    assert REFERENCE.search(ada.screen), ada.transcript
    (bought,) = await purchases(embedded, user_id)
    receipt = await _pushed(embedded, bought.id)
    assert ada.screen == as_shown(receipt.body)


async def test_a_failed_purchase_is_refunded_and_the_chat_is_told_why(gateway, chat, fake_bot_api):
    user_id = await customer(gateway, PHONE, naira=10_000, pin=PIN)
    ada = chat()
    await ada.link("+234" + PHONE[1:])
    for key in ("1", "2", "08022222222", "500"):  # airtime to a number the simulator declines
        await ada.press(key)
    await ada.say(PIN)
    (bought,) = await purchases(gateway, user_id)
    done = await gateway.wait_status(bought.id, {PurchaseStatus.FAILED}, timeout=10)
    receipt = await _pushed(gateway, done.id)
    assert ada.screen == as_shown(receipt.body)
    assert ada.screen.split("\n") == [
        "Airtel Airtime: failed",
        "For 08022222222",
        "Why: the provider declined; check the number.",
        "₦500.00 refunded to your wallet.",
        f"Ref: {done.reference}",
    ]
