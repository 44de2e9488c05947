"""Receipts pushed to the chat by the `TelegramNotifier`, and what happens when Telegram balks.

The notifier talks to the fake Bot API through a real PTB bot, and reads links and queues its
SMS fallback in a real database (Postgres and SQLite). A receipt is queued as settlement writes
it for a chat (`texts.telegram`: `₦1,500.00`, HTML, carrying its SMS wording). A token must
always reach its customer: what Telegram will not take goes out as the SMS receipt to the
buyer's phone, exactly once.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import pytest
from telegram.ext import AIORateLimiter

from gateway.channels.telegram_bot import make_bot
from gateway.channels.telegram_notifier import FALLBACK_AFTER_ATTEMPTS, TelegramNotifier
from gateway.clock import FixedClock
from gateway.phones import Msisdn
from gateway.settings import Secret, Settings
from gateway.store import chat_links, outbox, users
from gateway.store.outbox import OutboxMessage
from gateway.texts.telegram import ChatMessage, receipt
from gateway.worker.notifier import Outcome
from tests.fixtures.fake_bot_api import TOKEN
from tests.telegram.test_purchase import KEYS, PHONE, PIN
from tests.telegram.test_receipt_wording import exam_cards, facts, failed
from tests.ussd.conftest import customer
from tests.ussd.helpers import purchases
from tests.worker.harness import eventually

NOW = datetime(2026, 11, 27, 10, tzinfo=UTC)
BUYER = Msisdn("+2348031234567")
CHAT = 5151
TOKEN_RECEIPT = receipt(facts())
BODY = TOKEN_RECEIPT.body
PLAIN = "PayLink: Ikeja Electric for meter 1111111111111 successful. Token: 1234-5678 <&> Ref PL-X"
# what settlement queues for a chat, by kind of receipt
RECEIPTS = {
    "a token": TOKEN_RECEIPT,
    "a refund": receipt(failed()),
    "exam cards": receipt(exam_cards(10)),
}


@pytest.fixture
async def notifier(fake_bot_api, sessionmaker):
    settings = Settings(
        telegram_bot_token=Secret(TOKEN), telegram_api_base_url=fake_bot_api.base_url
    )
    bot = make_bot(settings, rate_limiter=AIORateLimiter(max_retries=3))
    made = TelegramNotifier(bot, sessionmaker, FixedClock(NOW), backoff_s=(0.01, 0.02), token=TOKEN)
    try:
        yield made
    finally:
        await made.aclose()


async def _queued(sessionmaker, *, linked: bool = True, body: str = BODY) -> OutboxMessage:
    """A receipt queued for a buyer (linked to chat CHAT, who has talked to the bot), as the
    worker hands it over: claimed, its first attempt."""
    async with sessionmaker.begin() as session:
        user, _ = await users.get_or_create(session, BUYER, now=NOW)
        if linked:
            await chat_links.link(session, "telegram", str(CHAT), str(CHAT), BUYER, now=NOW)
        message_id = await outbox.enqueue(
            session, phone=BUYER, body=body, at=NOW, channel="telegram", user_id=user.id
        )
    async with sessionmaker() as session:
        message = await outbox.get(session, message_id)
    assert message is not None
    return dataclasses.replace(message, attempts=1)


async def _sms(sessionmaker) -> list[OutboxMessage]:
    async with sessionmaker() as session:
        return [m for m in await outbox.recent(session) if m.channel == "sms"]


@pytest.fixture
def talked(fake_bot_api):
    fake_bot_api.private.add(CHAT)  # the buyer has a private chat with the bot


@pytest.mark.parametrize("kind", sorted(RECEIPTS))
async def test_a_receipt_is_pushed_to_the_linked_chat_in_its_chat_wording(
    kind, notifier, sessionmaker, fake_bot_api, talked
):
    chat = RECEIPTS[kind]
    result = await notifier.send(await _queued(sessionmaker, body=chat.body))
    assert result.outcome is Outcome.SENT
    pushed = fake_bot_api.last(CHAT)
    assert (pushed.text, pushed.parse_mode) == (chat.html, "HTML")
    assert "₦" in pushed.visible
    assert "<code>PL-7KQ2M9XD</code>" in pushed.text  # a tap copies the reference
    assert result.provider_message_id == str(pushed.message_id)
    assert await _sms(sessionmaker) == []


@pytest.mark.parametrize("kind", sorted(RECEIPTS))
async def test_a_receipt_the_chat_will_not_take_goes_as_its_sms_wording(
    kind, notifier, sessionmaker, fake_bot_api, talked
):
    chat = RECEIPTS[kind]
    fake_bot_api.block(CHAT)
    result = await notifier.send(await _queued(sessionmaker, body=chat.body))
    assert result.outcome is Outcome.REJECTED
    sent = sorted(await _sms(sessionmaker), key=lambda m: m.id)
    assert tuple(m.body for m in sent) == chat.fallback  # GSM-7, `N1,500`, in order
    assert all("₦" not in m.body and m.body.startswith("PayLink: ") for m in sent)


async def test_a_plain_text_receipt_is_pushed_escaped_as_written(
    notifier, sessionmaker, fake_bot_api, talked
):
    result = await notifier.send(await _queued(sessionmaker, body=PLAIN))
    assert result.outcome is Outcome.SENT
    assert fake_bot_api.last(CHAT).visible == PLAIN  # `<&>` escaped for the parse mode


# PTB 22 warns inside its own `RetryAfter.__init__` (retry_after becomes a timedelta in v23)
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_flood_answer_waits_retry_after_and_sends(
    notifier, sessionmaker, fake_bot_api, talked
):
    message = await _queued(sessionmaker)
    fake_bot_api.fail("sendMessage", 429, retry_after=1)
    started = asyncio.get_running_loop().time()
    result = await notifier.send(message)
    assert result.outcome is Outcome.SENT
    assert asyncio.get_running_loop().time() - started >= 1.0
    assert len(fake_bot_api.calls_of("sendMessage")) == 2
    assert len(fake_bot_api.bot_messages(CHAT)) == 1


async def test_a_network_error_is_retried_with_backoff(
    notifier, sessionmaker, fake_bot_api, talked
):
    message = await _queued(sessionmaker)
    fake_bot_api.fail("sendMessage", 502, times=2)
    result = await notifier.send(message)
    assert result.outcome is Outcome.SENT
    assert len(fake_bot_api.calls_of("sendMessage")) == 3


async def test_telegram_down_leaves_the_receipt_for_the_worker_to_retry(
    notifier, sessionmaker, fake_bot_api, talked
):
    message = await _queued(sessionmaker)
    fake_bot_api.fail("sendMessage", 502, times=10)
    result = await notifier.send(message)
    assert result.outcome is Outcome.RETRY
    assert TOKEN not in (result.error or "")
    assert await _sms(sessionmaker) == []


async def test_telegram_down_for_long_sends_the_receipt_by_sms(
    notifier, sessionmaker, fake_bot_api, talked
):
    message = await _queued(sessionmaker)
    fake_bot_api.fail("sendMessage", 502, times=10)
    late = dataclasses.replace(message, attempts=FALLBACK_AFTER_ATTEMPTS)
    result = await notifier.send(late)
    assert result.outcome is Outcome.REJECTED
    (sms,) = await _sms(sessionmaker)
    assert (sms.phone, sms.body) == (BUYER, TOKEN_RECEIPT.fallback[0])


async def test_a_user_who_blocked_the_bot_gets_the_receipt_by_sms_once(
    notifier, sessionmaker, fake_bot_api, talked
):
    message = await _queued(sessionmaker)
    fake_bot_api.block(CHAT)
    result = await notifier.send(message)
    assert result.outcome is Outcome.REJECTED
    (sms,) = await _sms(sessionmaker)
    assert (sms.phone, sms.body, sms.user_id, sms.status) == (
        BUYER,
        TOKEN_RECEIPT.fallback[0],
        message.user_id,
        "queued",
    )
    assert f"SMS #{sms.id}" in (result.error or "")
    # the worker died before recording that: the redelivery queues no second SMS
    again = await notifier.send(message)
    assert again.outcome is Outcome.REJECTED
    assert [m.id for m in await _sms(sessionmaker)] == [sms.id]


async def test_a_chat_that_no_longer_exists_gets_the_receipt_by_sms(
    notifier, sessionmaker, fake_bot_api, talked
):
    message = await _queued(sessionmaker)
    fake_bot_api.forget_chat(CHAT)
    assert (await notifier.send(message)).outcome is Outcome.REJECTED
    assert len(await _sms(sessionmaker)) == 1


async def test_a_buyer_no_longer_linked_gets_the_receipt_by_sms(
    notifier, sessionmaker, fake_bot_api
):
    message = await _queued(sessionmaker, linked=False)
    assert (await notifier.send(message)).outcome is Outcome.REJECTED
    assert len(await _sms(sessionmaker)) == 1
    assert fake_bot_api.calls_of("sendMessage") == []


async def test_two_receipts_to_one_chat_go_a_second_apart(
    notifier, sessionmaker, fake_bot_api, talked
):
    first = await _queued(sessionmaker)
    second = await _queued(sessionmaker, body=PLAIN)
    results = await asyncio.gather(notifier.send(first), notifier.send(second))
    assert [r.outcome for r in results] == [Outcome.SENT, Outcome.SENT]
    first_at, second_at = (c.at for c in fake_bot_api.calls if c.method == "sendMessage")
    assert second_at - first_at >= 0.95


async def test_a_buyer_who_blocked_the_bot_after_buying_still_gets_the_token(
    gateway, chat, fake_bot_api
):
    user_id = await customer(gateway, PHONE, naira=10_000, pin=PIN)
    ada = chat()
    await ada.link("+234" + PHONE[1:])
    for key in KEYS["electricity-bill"]:
        await ada.press(key)
    fake_bot_api.block(ada.id)  # before the worker pushes the receipt
    await ada.say(PIN)
    (bought,) = await purchases(gateway, user_id)

    async def settled() -> list[OutboxMessage]:
        async with gateway.db() as session:
            found = await outbox.for_purchase(session, bought.id)
        return found if {m.status for m in found} == {"failed", "sent"} else []

    telegram, sms = await eventually(settled, 10, "the receipt, by SMS")
    assert (telegram.channel, telegram.status) == ("telegram", "failed")
    assert (sms.channel, sms.status) == ("sms", "sent")
    assert (sms.body,) == ChatMessage.parse(telegram.body).fallback
    assert sms.body.startswith("PayLink: IKEDC Prepaid for meter 1111111111111")
    assert "Token: " in sms.body
    assert "Paid N1,100 (N1,000 + N100 fee)." in sms.body
    assert bought.reference in sms.body
