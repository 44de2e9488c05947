"""The coordinator around the real engine, with an in-process store and a fake services port.

What it owes every channel: a repeated delivery is answered from the record and runs nothing
again; an older message changes nothing; a conversation cannot be borrowed by another phone;
effect results are fed back within the message; failures answer a friendly END and log the key
and a masked phone only; verify has the reply budget; and the raw input (PINs) is never kept.

The rig's channel resends its whole input history with each message, as a USSD telco does
(its own small decoder, not the USSD adapter's): the hardest case for the coordinator.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from gateway.clock import FixedClock
from gateway.conversations.catalogue_provider import CatalogueProvider
from gateway.conversations.config import ConversationConfig, derive_key
from gateway.conversations.contract import ChannelProfile, Decoded, Inbound, Sender
from gateway.conversations.coordinator import Coordinator, Parts, build
from gateway.conversations.effects import EffectRunner
from gateway.conversations.lines import Lines
from gateway.conversations.pin_staging import PinStaging
from gateway.conversations.record import encode
from gateway.conversations.sessions import MemorySessionStore, SessionStore
from gateway.flows.engine import BUSY
from gateway.flows.screens import USSD, render
from gateway.pin_policy import RESET_HINT
from gateway.settings import Secret
from tests.conversations.fakes import FakeCatalogue, FakeServices

PHONE = "+2348031234567"
OTHER = "+2348051234567"
SECRET = Secret("k" * 48)
MENU = "CON PayLink\n1 Airtime\n2 Data\n3 Electricity\n4 TV\n5 Exam PINs\n6 Wallet"


def history(raw: str, consumed: int) -> Decoded:
    """A channel that sends `*`-joined history: only the segments past `consumed` are new."""
    inputs = tuple(raw.split("*")) if raw else ()
    new = "*".join(inputs[consumed:]) if len(inputs) > consumed else None
    return Decoded(inputs, new, len(inputs))


PROFILE = ChannelProfile("ussd", USSD, 180.0, decode=history, reopens=False)
SORRY = PROFILE.sorry
WRONG_PHONE = PROFILE.wrong_sender


class SlowStore(MemorySessionStore):
    """Yields after every read, so two hops really interleave."""

    async def load(self, channel, session_id):
        found = await super().load(channel, session_id)
        await asyncio.sleep(0.01)
        return found


class Rig:
    def __init__(self, services: FakeServices, store: SessionStore, **kwargs) -> None:
        self.services = services
        self.store = store
        self.clock = FixedClock(datetime(2026, 11, 27, 10, tzinfo=UTC))
        self.catalog = CatalogueProvider(FakeCatalogue(), 60)
        staging = PinStaging(store, derive_key(SECRET, "pin-staging"))
        self.lines = Lines(store, derive_key(SECRET, "phone-line"), self.clock)
        runner = EffectRunner(services, staging, self.lines, self.clock)
        config = kwargs.pop("config", ConversationConfig())
        profile = dataclasses.replace(PROFILE, **kwargs)
        parts = Parts(store, services, self.catalog, runner, self.lines, self.clock, config)
        self.coordinator: Coordinator = build(profile, parts, derive_key(SECRET, "ussd-hop"))

    async def hop(self, session_id: str, text: str, phone: str = PHONE) -> str:
        message = Inbound("ussd", session_id, Sender(phone), text or None, text)
        return render((await self.coordinator.handle(message)).screen, USSD)

    async def ended(self, session_id: str) -> bool:
        """The channel reports the session dropped mid-way."""
        return await self.coordinator.dropped(session_id)

    async def walk(self, session_id: str, *inputs: str, phone: str = PHONE) -> str:
        reply = await self.hop(session_id, "", phone)
        for n in range(1, len(inputs) + 1):
            reply = await self.hop(session_id, "*".join(inputs[:n]), phone)
        return reply


@pytest.fixture
def services() -> FakeServices:
    made = FakeServices()
    made.add(PHONE, "2580", balance=100_000_00)
    return made


@pytest.fixture
async def rig(services) -> AsyncIterator[Rig]:
    made = Rig(services, MemorySessionStore())
    try:
        yield made
    finally:
        await made.catalog.aclose()


def test_only_the_history_past_what_was_consumed_is_new_input():
    assert history("", 0).input is None
    assert history("1", 0).input == "1"
    assert history("1*2", 1).input == "2"
    assert history("1*2", 2).input is None
    assert history("1*a*b", 1).input == "a*b"  # an answer that itself held a `*`
    assert history("1*", 1).input == ""


async def test_a_resent_purchase_hop_gets_the_same_answer_and_submits_once(rig, services):
    first = await rig.walk("s1", "1", "1", "500", "2580")
    assert first == "END Request received. Ref PL-ABCDEFG2. You will get an SMS."
    assert await rig.hop("s1", "1*1*500*2580") == first
    assert services.calls["submit"] == 1
    assert services.calls["check_pin"] == 1
    assert len(services.submitted) == 1


async def test_a_resent_hop_mid_flow_changes_nothing(rig):
    await rig.walk("s1", "1")
    before = await rig.store.load("ussd", "s1")
    again = await rig.hop("s1", "1")
    assert again == render(before.answer, USSD)
    assert await rig.store.load("ussd", "s1") == before


async def test_a_late_older_hop_gets_the_current_screen(rig):
    current = await rig.walk("s1", "1", "1")
    before = await rig.store.load("ussd", "s1")
    assert await rig.hop("s1", "") == current
    assert await rig.store.load("ussd", "s1") == before


async def test_another_phone_cannot_use_a_session(rig):
    await rig.walk("s1", "1")
    before = await rig.store.load("ussd", "s1")
    assert await rig.hop("s1", "1*1", phone=OTHER) == f"END {WRONG_PHONE}"
    assert await rig.store.load("ussd", "s1") == before


async def test_the_text_and_the_pin_are_never_stored(rig):
    await rig.walk("s1", "6", "3", "2580", "4826", "4826")
    for key, (_, raw) in rig.store._entries.items():
        assert b"2580" not in raw.replace(b'"delivery":"', b"").split(b'"', 1)[-1] or "pin" in key
        body = raw.decode()
        assert "4826" not in body.split('"delivery"')[0] + body.split('"answer"')[-1]


async def test_change_pin_needs_the_current_pin_first(rig, services):
    reply = await rig.walk("s1", "6", "3", "2580", "4826", "4826")
    assert reply.startswith("CON PIN changed.\nPayLink")
    assert services.pins[1] == "4826"
    assert await rig.store.get("ussd:pin:s1") is None  # staged entry dropped once used
    record = await rig.store.load("ussd", "s1")
    assert record.pin_ok is False


async def test_a_wrong_second_entry_saves_nothing(rig, services):
    reply = await rig.walk("s1", "6", "3", "2580", "4826", "4827")
    assert reply.startswith("CON PINs did not match.")
    assert services.pins[1] == "2580"


async def test_first_contact_registers_the_user_with_the_staged_pin():
    services = FakeServices()
    rig = Rig(services, MemorySessionStore())
    try:
        first = await rig.hop("s1", "")
        assert "Create a 4-digit PIN" in first
        reply = await rig.walk("s1", "4826", "4826")
        assert reply.startswith("CON PIN saved.\nPayLink")
        user_id = services.users[PHONE]
        assert services.pins[user_id] == "4826"
        assert (await rig.store.load("ussd", "s1")).user_id == user_id
    finally:
        await rig.catalog.aclose()


async def test_three_wrong_pins_lock_purchases(rig):
    await rig.walk("s1", "1", "1", "500", "1111")
    reply = await rig.hop("s1", "1*1*500*1111*2222")
    assert "Wrong PIN. 1 try left." in reply
    reply = await rig.hop("s1", "1*1*500*1111*2222*3333")
    assert reply.startswith("END PIN locked until ")


async def test_a_right_pin_locked_until_reset_ends_saying_how_to_reset(rig, services):
    services.reset_required.add(services.users[PHONE])
    await rig.walk("s1", "1", "1", "500")

    reply = await rig.hop("s1", "1*1*500*2580")

    assert reply == f"END PIN locked after too many wrong PINs. {RESET_HINT}"
    assert services.submitted == {}


async def test_a_failing_effect_ends_politely_and_logs_a_masked_phone(rig, services, caplog):
    services.broken.add("submit")
    with caplog.at_level(logging.INFO):
        reply = await rig.walk("s1", "1", "1", "500", "2580")
    assert reply == f"END {BUSY}"
    assert "s1" in caplog.text
    assert "+234803****567" in caplog.text
    for secret in ("2348031234567", "08031234567", "2580"):
        assert secret not in caplog.text


async def test_a_failing_store_answers_end_and_logs_the_session(services, caplog):
    class BrokenStore(MemorySessionStore):
        async def load(self, channel, session_id):
            raise ConnectionError("redis down")

        async def save(self, channel, session_id, record, ttl_s=None):
            raise ConnectionError("redis down")

    rig = Rig(services, BrokenStore())
    try:
        with caplog.at_level(logging.ERROR):
            assert await rig.hop("ATUid_x", "") == f"END {SORRY}"
        assert "ATUid_x" in caplog.text
        assert "+234803****567" in caplog.text
        assert "2348031234567" not in caplog.text
    finally:
        await rig.catalog.aclose()


async def test_verify_gets_only_the_hop_budget(services):
    services.verify_delay = 1.0
    rig = Rig(services, MemorySessionStore(), reply_budget_s=0.2)
    try:
        await rig.walk("s1", "3", "1", "1")
        started = asyncio.get_running_loop().time()
        reply = await rig.hop("s1", "3*1*1*1111111111111")
        assert asyncio.get_running_loop().time() - started < 0.6
        assert reply == f"END {BUSY}"
    finally:
        await rig.catalog.aclose()


async def test_a_verify_result_is_fed_back_in_the_same_hop(rig):
    reply = await rig.walk("s1", "3", "1", "1", "1111111111111")
    assert reply.startswith("CON TEST METER\n1 Test Street\nEnter amount")


async def test_rounds_are_bounded(services, caplog):
    rig = Rig(services, MemorySessionStore(), config=ConversationConfig(max_rounds=0))
    try:
        with caplog.at_level(logging.WARNING):
            reply = await rig.walk("s1", "3", "1", "1", "1111111111111")
        assert reply == "CON Please wait..."
        assert "effects left unrun" in caplog.text
    finally:
        await rig.catalog.aclose()


async def test_of_two_racing_hops_one_lands_and_both_answer_its_screen(services):
    rig = Rig(services, SlowStore())
    try:
        await rig.hop("s1", "")
        replies = await asyncio.gather(rig.hop("s1", "1"), rig.hop("s1", "2"))
        record = await rig.store.load("ussd", "s1")
        assert record.rev == 2  # the first hop, then exactly one of the two
        assert replies[0] == replies[1] == render(record.answer, USSD)
    finally:
        await rig.catalog.aclose()


async def test_two_hops_racing_to_save_both_answer_the_one_that_landed(services):
    class SlowSaves(MemorySessionStore):
        async def save(self, channel, session_id, record, ttl_s=None):
            await asyncio.sleep(0.01)
            await super().save(channel, session_id, record, ttl_s)

    rig = Rig(services, SlowSaves())
    try:
        await rig.hop("s1", "")
        replies = await asyncio.gather(rig.hop("s1", "1"), rig.hop("s1", "2"))
        record = await rig.store.load("ussd", "s1")
        assert record.rev == 2
        assert replies[0] == replies[1] == render(record.answer, USSD)
    finally:
        await rig.catalog.aclose()


async def test_a_dropped_session_is_offered_back_once(rig):
    await rig.walk("s1", "3", "1")
    assert await rig.ended("s1")
    offer = await rig.hop("s2", "")
    assert offer == "CON You were paying for electricity.\n1 Continue\n2 Main menu"
    assert (await rig.hop("s2", "2")) == MENU  # the user declines
    assert await rig.hop("s3", "") == MENU  # offered once only


async def test_continuing_returns_to_the_dropped_step(rig):
    await rig.walk("s1", "3", "1")
    await rig.ended("s1")
    await rig.hop("s2", "")
    assert (await rig.hop("s2", "1")).startswith("CON Ikeja (IKEDC) meter type:")
    assert (await rig.hop("s2", "1*1")).startswith("CON Enter prepaid meter number:")


async def test_a_finished_or_successful_session_is_not_offered(rig):
    await rig.walk("s1", "1", "1", "500", "2580")
    assert not await rig.ended("s1")  # it ended with END
    assert not await rig.ended("nope")


async def test_without_the_events_callback_the_displaced_session_is_offered(rig):
    await rig.walk("s1", "3", "1")
    offer = await rig.hop("s2", "")
    assert offer.startswith("CON You were paying for electricity.")
    rig.clock.advance(121)
    await rig.walk("s3", "3", "1")
    rig.clock.advance(121)
    assert await rig.hop("s4", "") == MENU  # too late to resume


async def test_stored_records_are_small(rig):
    await rig.walk("s1", "2", "1", "98")
    raw = encode(await rig.store.load("ussd", "s1"))
    assert len(raw) < 1500


async def test_a_known_callers_next_session_needs_no_lookup(rig, services):
    await rig.walk("s1", "6", "1")
    assert services.calls["caller"] == 1
    await rig.hop("s2", "")
    assert services.calls["caller"] == 1  # the line remembered who this is


async def test_a_purchase_not_yet_delivered_is_never_offered_to_buy_again(rig, services):
    # "buy again" offered failed purchases: a purchase just made may fail, so the next session
    # reads the caller again (the database offers delivered purchases only)
    await rig.walk("s1", "1", "1", "500", "2580")
    menu = await rig.hop("s2", "")
    assert services.calls["caller"] == 2
    assert menu == MENU


async def test_callers_without_a_pin_are_looked_up_every_session():
    services = FakeServices()
    services.add(PHONE, pin=None)
    rig = Rig(services, MemorySessionStore())
    try:
        await rig.hop("s1", "")
        await rig.hop("s2", "")
        assert services.calls["caller"] == 2
        await rig.walk("s3", "4826", "4826")  # PIN set: remembered from now on
        await rig.hop("s4", "")
        assert services.calls["caller"] == 3
    finally:
        await rig.catalog.aclose()


async def test_the_cached_caller_expires_even_when_dialling_often(rig, services):
    await rig.hop("s1", "")
    for n in range(2, 5):  # every dial renews the line's record, not the caller's age
        rig.clock.advance(120)
        await rig.hop(f"s{n}", "")
    assert services.calls["caller"] == 2  # looked up again once 300 s had passed
