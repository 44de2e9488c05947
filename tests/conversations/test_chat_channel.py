"""A new channel is an adapter plus a registration: a minimal chat channel, defined here.

The channel has chat-style identity (a chat id as the conversation key, a chat user resolved
to a phone through a directory), sends one input per message and retries deliveries with the
same message id. The coordinator runs a whole airtime purchase for it, unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from gateway.clock import FixedClock
from gateway.conversations.catalogue_provider import CatalogueProvider
from gateway.conversations.config import ConversationConfig, derive_key
from gateway.conversations.contract import ChannelProfile, Inbound, Reply, Sender
from gateway.conversations.coordinator import Coordinator, Parts, build
from gateway.conversations.effects import EffectRunner
from gateway.conversations.lines import Lines
from gateway.conversations.pin_staging import PinStaging
from gateway.conversations.sessions import MemorySessionStore
from gateway.flows.screens import TELEGRAM
from gateway.settings import Secret
from tests.conversations.fakes import FakeCatalogue, FakeServices

PHONE = "+2348031234567"
SECRET = Secret("k" * 48)
# the adapter's whole registration: a profile (one input per message is the default decoder)
CHAT = ChannelProfile("chat", TELEGRAM, session_ttl_s=600.0)


@dataclass
class Directory:
    """Chat users linked to PayLink phones."""

    linked: dict[str, str]

    async def phone_of(self, channel: str, chat_user: str) -> str | None:
        return self.linked.get(chat_user)


class ChatAdapter:
    """The in-test channel: an update (chat id, user, message id, text) in, the screen out."""

    def __init__(self, coordinator: Coordinator) -> None:
        self._coordinator = coordinator

    async def update(self, chat_id: int, user: str, message_id: int, text: str) -> Reply:
        message = Inbound("chat", str(chat_id), Sender(chat_user=user), text, str(message_id))
        return await self._coordinator.handle(message)


@pytest.fixture
async def chat() -> AsyncIterator[tuple[ChatAdapter, FakeServices]]:
    services = FakeServices()
    services.add(PHONE, "2580", balance=100_000_00)
    store = MemorySessionStore()
    clock = FixedClock(datetime(2026, 11, 27, 10, tzinfo=UTC))
    catalog = CatalogueProvider(FakeCatalogue(), 60)
    lines = Lines(store, derive_key(SECRET, "phone-line"), clock)
    runner = EffectRunner(
        services, PinStaging(store, derive_key(SECRET, "pin-staging")), lines, clock
    )
    parts = Parts(
        store,
        services,
        catalog,
        runner,
        lines,
        clock,
        ConversationConfig(),
        Directory({"ada": PHONE}),
    )
    try:
        yield ChatAdapter(build(CHAT, parts, derive_key(SECRET, "chat-hop"))), services
    finally:
        await catalog.aclose()


async def test_a_chat_user_buys_airtime_and_a_retried_message_buys_nothing_more(chat):
    adapter, services = chat
    menu = await adapter.update(42, "ada", 1, "hi")
    assert menu.goes_on
    assert [o.label for o in menu.screen.options][:2] == ["Airtime", "Data"]
    for message_id, text in enumerate(("1", "1", "500"), start=2):
        step = await adapter.update(42, "ada", message_id, text)
        assert step.goes_on
    assert "Enter PIN" in step.screen.message

    done = await adapter.update(42, "ada", 5, "2580")

    assert not done.goes_on
    assert done.screen.message.startswith("Request received")
    assert await adapter.update(42, "ada", 5, "2580") == done  # the bot API retried it
    assert len(services.submitted) == 1
    assert services.calls["check_pin"] == 1
    (order,) = services.submitted.values()
    assert (order.service_id, order.amount, order.phone) == ("mtn", 500_00, PHONE)
    assert list(services.channels.values()) == ["chat"]  # bought on the channel it came in on


async def test_after_an_ending_the_same_chat_opens_a_new_conversation(chat):
    adapter, services = chat
    await adapter.update(42, "ada", 1, "hi")
    for message_id, text in enumerate(("1", "1", "500", "2580"), start=2):
        await adapter.update(42, "ada", message_id, text)
    again = await adapter.update(42, "ada", 6, "hi")
    assert again.goes_on
    assert [o.label for o in again.screen.options][:2] == ["Airtime", "Data"]
    for message_id, text in enumerate(("1", "1", "500", "2580"), start=7):
        await adapter.update(42, "ada", message_id, text)
    assert len(services.submitted) == 2  # a second purchase, not a replay of the first


async def test_a_chat_user_not_linked_to_a_phone_is_asked_to_link_it(chat):
    adapter, services = chat
    reply = await adapter.update(7, "stranger", 1, "hi")
    assert reply.screen.message == CHAT.unlinked
    assert services.calls["caller"] == 0
