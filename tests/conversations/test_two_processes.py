"""Two gateway processes sharing one Redis, each with its own copy of the sessions it answered.

The story: a menu hop starts from the process's own copy of the session and only writes (one
round trip). Behind a load balancer the next hop of a session may reach another process; the
first process's copy is then stale. Its next hop must still get the right screen (the revision
check refuses the stale save and the hop is worked out again), and a resent PIN hop must never
check the PIN or buy twice because of a stale copy.
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


async def test_menu_hops_on_one_process_read_nothing(pair):
    first, _ = pair
    await first.walk("s1", "1", "1", "500")
    assert first.store.loads == 0  # dial, then three hops from the process's own copy


async def test_a_stale_copy_still_gets_the_right_screen(pair):
    first, second = pair
    await first.walk("s1", "1")  # `first` keeps revision 2
    await second.hop("s1", "1*1")  # another process moves the session on to revision 3
    reply = await first.hop("s1", "1*1*500")
    assert reply.startswith("CON MTN airtime N500\n")
    record = await first.store.load("ussd", "s1")
    assert record.rev == 4
    assert record.consumed == 3
    assert render(record.answer, USSD) == reply
    # and `first` now holds the current copy again: the next hop reads nothing
    loads = first.store.loads
    again = await first.hop("s1", "1*1*500*0")
    assert again.startswith("CON MTN airtime for 08031234567\nEnter amount")
    assert first.store.loads == loads


async def test_a_resent_pin_hop_on_a_stale_copy_checks_nothing_again(pair, services):
    first, second = pair
    await first.walk("s1", "1", "1", "500")  # `first` keeps the confirm screen
    wrong = await second.hop("s1", "1*1*500*1111")  # answered elsewhere: one wrong PIN
    assert wrong.startswith("CON Wrong PIN. 2 tries left.")
    checks = services.calls["check_pin"]
    # the telco resends that hop to `first`, whose copy has not seen it: the stored answer
    assert await first.hop("s1", "1*1*500*1111") == wrong
    assert services.calls["check_pin"] == checks
    assert (await first.hop("s1", "1*1*500*1111*2580")).startswith("END Request received.")
    assert len(services.submitted) == 1


async def test_an_expired_session_on_a_copy_starts_again(services, redis, prefix):
    rig = Rig(services, CountingStore(redis, prefix, ttl_s=0.2))
    try:
        await rig.walk("s1", "1")
        await redis.delete(f"{prefix}conv:ussd:s1")  # gone from Redis, still in the copy
        reply = await rig.hop("s1", "1*1")
        record = await rig.store.load("ussd", "s1")
        assert record.rev == 1  # a new session, started from the dial string's inputs
        assert record.phone == PHONE
        assert reply == render(record.answer, USSD)
    finally:
        await rig.catalog.aclose()


async def test_a_copy_of_an_expired_record_never_passes_for_its_successor(
    pair, services, redis, prefix
):
    # Revisions restart at 1 with each new record: a copy of a record that expired (or was
    # evicted) can carry the same revision as the record another process started since.
    first, second = pair
    reference = Rig(services, RedisSessionStore(redis, prefix + "ref:"))
    try:
        await first.walk("s1")  # `first` keeps its copy at revision 1 (the main menu)
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
