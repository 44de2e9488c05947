"""Two gateway processes sharing one Redis, each remembering the records it decoded.

The story: behind a load balancer the hops of one session reach either process. Every hop
reads the session from Redis, so it gets the right screen whoever answered the last one, and a
resent PIN hop never checks the PIN or buys twice; what a process remembers (the bytes of the
records it read or saved, to skip decoding them again) never stands in for what Redis holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gateway.conversations.sessions import RedisSessionStore
from gateway.flows.screens import USSD, render
from tests.conversations.fakes import FakeServices
from tests.conversations.test_coordinator import PHONE, Rig


class CountingStore(RedisSessionStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loads = 0

    async def load(self, channel, session_id):
        self.loads += 1
        return await super().load(channel, session_id)


@pytest.fixture
def services() -> FakeServices:
    made = FakeServices()
    made.add(PHONE, "2580", balance=100_000_00)
    return made


@pytest.fixture
async def pair(services, redis, prefix) -> AsyncIterator[tuple[Rig, Rig]]:
    first = Rig(services, CountingStore(redis, prefix))
    second = Rig(services, CountingStore(redis, prefix))
    try:
        yield first, second
    finally:
        await first.catalog.aclose()
        await second.catalog.aclose()


async def test_each_menu_hop_reads_the_session_once(pair):
    first, _ = pair
    await first.walk("s1", "1", "1", "500")
    assert first.store.loads == 3  # the dial opens a new key and reads nothing


async def test_a_hop_after_the_other_process_answered_gets_the_right_screen(pair):
    first, second = pair
    await first.walk("s1", "1")  # `first` answered revision 2
    await second.hop("s1", "1*1")  # another process moves the session on to revision 3
    reply = await first.hop("s1", "1*1*500")
    assert reply.startswith("CON MTN airtime N500\n")
    record = await first.store.load("ussd", "s1")
    assert record.rev == 4
    assert record.consumed == 3
    assert render(record.answer, USSD) == reply
    again = await first.hop("s1", "1*1*500*0")
    assert again.startswith("CON MTN airtime for 08031234567\nEnter amount")


async def test_a_pin_hop_resent_to_the_other_process_checks_nothing_again(pair, services):
    first, second = pair
    await first.walk("s1", "1", "1", "500")  # `first` showed the confirm screen
    wrong = await second.hop("s1", "1*1*500*1111")  # answered elsewhere: one wrong PIN
    assert wrong.startswith("CON Wrong PIN. 2 tries left.")
    checks = services.calls["check_pin"]
    # the telco resends that hop to `first`, which did not answer it: the stored answer
    assert await first.hop("s1", "1*1*500*1111") == wrong
    assert services.calls["check_pin"] == checks
    assert (await first.hop("s1", "1*1*500*1111*2580")).startswith("END Request received.")
    assert len(services.submitted) == 1


async def test_an_expired_session_starts_again(services, redis, prefix):
    rig = Rig(services, CountingStore(redis, prefix, ttl_s=0.2))
    try:
        await rig.walk("s1", "1")
        await redis.delete(f"{prefix}conv:ussd:s1")  # gone from Redis, still remembered
        reply = await rig.hop("s1", "1*1")
        record = await rig.store.load("ussd", "s1")
        assert record.rev == 1  # a new session, started from the dial string's inputs
        assert record.phone == PHONE
        assert reply == render(record.answer, USSD)
    finally:
        await rig.catalog.aclose()


async def test_a_remembered_expired_record_never_passes_for_its_successor(
    pair, services, redis, prefix
):
    # Revisions restart at 1 with each new record: a copy of a record that expired (or was
    # evicted) can carry the same revision as the record another process started since.
    first, second = pair
    reference = Rig(services, RedisSessionStore(redis, prefix + "ref:"))
    try:
        await first.walk("s1")  # `first` remembers revision 1 (the main menu)
        await redis.delete(f"{prefix}conv:ussd:s1")  # the record expires
        await second.hop("s1", "1")  # the session restarts at revision 1, from "1"
        await reference.hop("s1", "1")  # the same hops on one process that always reads
        expected = await reference.hop("s1", "1*1")

        assert await first.hop("s1", "1*1") == expected
    finally:
        await reference.catalog.aclose()
        stale = [key async for key in redis.scan_iter(match=f"{prefix}ref:*")]
        if stale:
            await redis.delete(*stale)
