"""The chat links cached in Redis: read once, and forgotten in every process by a link change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete

from gateway.channels.telegram_linking import CHANNEL, Links
from gateway.channels.telegram_state import ChatState, RedisTelegramState
from gateway.clock import FixedClock
from gateway.phones import Msisdn
from gateway.store import chat_links
from gateway.store.chat_links import ChatDirectory
from gateway.store.link_cache import LinkCache, Miss
from gateway.store.tables import chat_links_table
from tests.ussd.conftest import redis, redis_prefix  # noqa: F401 - fixtures

PHONE = Msisdn("+2348031234567")
ADA, BOB = 4242, 4343
CLOCK = FixedClock(datetime(2026, 12, 7, 10, tzinfo=UTC))


@pytest.fixture
def cache(redis, redis_prefix) -> LinkCache:  # noqa: F811 - the fixtures imported above
    return LinkCache(redis, redis_prefix)


@pytest.fixture
def two_processes(pg_sessionmaker, redis, redis_prefix):  # noqa: F811 - the fixtures above
    """Two gateway processes' directories and links over one database and one Redis."""
    return [
        (
            ChatDirectory(pg_sessionmaker, LinkCache(redis, redis_prefix)),
            Links(pg_sessionmaker, CLOCK, LinkCache(redis, redis_prefix)),
        )
        for _ in range(2)
    ]


async def test_a_link_is_served_from_the_cache_once_read(pg_sessionmaker, cache):
    directory = ChatDirectory(pg_sessionmaker, cache)
    await Links(pg_sessionmaker, CLOCK, cache).link(ADA, ADA, PHONE)
    assert await directory.phone_of(CHANNEL, str(ADA)) == PHONE
    async with pg_sessionmaker.begin() as session:  # behind the cache's back
        await session.execute(delete(chat_links_table))
    assert await directory.phone_of(CHANNEL, str(ADA)) == PHONE


async def test_an_unlink_in_one_process_takes_effect_in_another_at_once(two_processes):
    (here, here_links), (there, _) = two_processes
    await here_links.link(ADA, ADA, PHONE)
    assert await there.phone_of(CHANNEL, str(ADA)) == PHONE  # cached there
    await here_links.unlink(ADA)
    assert await there.phone_of(CHANNEL, str(ADA)) is None
    assert await here.phone_of(CHANNEL, str(ADA)) is None


async def test_a_phone_linked_from_another_chat_is_forgotten_for_the_old_chat(two_processes):
    (_, here_links), (there, _) = two_processes
    await here_links.link(ADA, ADA, PHONE)
    assert await there.phone_of(CHANNEL, str(ADA)) == PHONE
    await here_links.link(BOB, BOB, PHONE)
    assert await there.phone_of(CHANNEL, str(ADA)) is None
    assert await there.phone_of(CHANNEL, str(BOB)) == PHONE


async def test_not_linked_is_cached_until_the_chat_links(pg_sessionmaker, cache):
    directory = ChatDirectory(pg_sessionmaker, cache)
    assert await directory.phone_of(CHANNEL, str(ADA)) is None
    assert await cache.get(CHANNEL, str(ADA)) is None  # cached as "not linked"
    await Links(pg_sessionmaker, CLOCK, cache).link(ADA, ADA, PHONE)
    assert await directory.phone_of(CHANNEL, str(ADA)) == PHONE


async def test_a_read_from_before_a_change_is_not_cached_after_it(pg_sessionmaker, cache):
    await Links(pg_sessionmaker, CLOCK, cache).link(ADA, ADA, PHONE)
    miss = await cache.get(CHANNEL, str(ADA))
    assert isinstance(miss, Miss)
    # another process unlinks between this reader's database read and its fill
    await Links(pg_sessionmaker, CLOCK, cache).unlink(ADA)
    await cache.fill(CHANNEL, str(ADA), miss, PHONE)
    assert isinstance(await cache.get(CHANNEL, str(ADA)), Miss)


async def test_link_reports_the_chat_users_whose_link_it_replaced(pg_sessionmaker):
    async with pg_sessionmaker.begin() as session:
        first = await chat_links.link(session, CHANNEL, "1", "1", PHONE, now=CLOCK.now())
        second = await chat_links.link(session, CHANNEL, "2", "2", PHONE, now=CLOCK.now())
    assert (first.moved, second.moved) == ((), ("1",))


async def test_a_chats_state_comes_with_its_users_cached_link(
    pg_sessionmaker,
    cache,
    redis,  # noqa: F811 - the fixture imported above
    redis_prefix,  # noqa: F811 - the fixture imported above
):
    state = RedisTelegramState(redis, redis_prefix, cache)
    shown = ChatState("ab12cd34", menu=9)
    await state.save_chat(ADA, shown)
    assert await state.chat_and_phone(ADA, ADA) == (shown, None)  # the link is not cached yet
    async with pg_sessionmaker.begin() as session:
        await chat_links.link(session, CHANNEL, str(ADA), str(ADA), PHONE, now=CLOCK.now())
    await ChatDirectory(pg_sessionmaker, cache).phone_of(CHANNEL, str(ADA))  # read: cached
    assert await state.chat_and_phone(ADA, ADA) == (shown, PHONE)
    await Links(pg_sessionmaker, CLOCK, cache).unlink(ADA)
    assert await state.chat_and_phone(ADA, ADA) == (shown, None)
