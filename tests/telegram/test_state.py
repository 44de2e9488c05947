"""The adapter's shared state: update ids taken once, chat states kept, on Redis and in memory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.channels.telegram_state import (
    CHAT_TTL_S,
    UPDATE_TTL_S,
    ChatState,
    MemoryTelegramState,
    RedisTelegramState,
)
from gateway.clock import FixedClock
from tests.ussd.conftest import redis, redis_prefix  # noqa: F401 - fixtures

CLOCK_START = datetime(2026, 11, 27, 10, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(CLOCK_START)


@pytest.fixture(params=["redis", "memory"])
def state(request, clock):
    if request.param == "memory":
        return MemoryTelegramState(clock)
    return RedisTelegramState(
        request.getfixturevalue("redis"), request.getfixturevalue("redis_prefix")
    )


async def test_an_update_id_is_taken_once(state):
    assert await state.first_delivery(41)
    assert not await state.first_delivery(41)
    assert await state.first_delivery(42)


async def test_two_processes_on_one_redis_share_what_was_taken(redis, redis_prefix):  # noqa: F811
    first, second = (RedisTelegramState(redis, redis_prefix) for _ in range(2))
    assert await first.first_delivery(7)
    assert not await second.first_delivery(7)


async def test_memory_forgets_an_update_id_after_a_day_by_the_apps_clock(clock):
    state = MemoryTelegramState(clock)
    assert await state.first_delivery(9)
    clock.advance(UPDATE_TTL_S + 1)
    assert await state.first_delivery(9)


async def test_a_chat_state_is_kept(state):
    assert await state.chat(5) is None
    kept = ChatState("ab12cd34", menu=17, secret=True)
    await state.save_chat(5, kept)
    assert await state.chat(5) == kept


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"e": "x", "m": "17", "s": false}',
        b'{"e": "x", "m": true, "s": false}',
        b'{"e": 1, "m": null, "s": false}',
        b'{"e": "x", "m": null}',
    ],
)
def test_a_stored_state_this_module_did_not_write_reads_as_none(raw):
    assert ChatState.decode(raw) is None


def test_a_fresh_state_has_a_new_epoch_and_no_menu():
    one, two = ChatState.fresh(), ChatState.fresh()
    assert one.epoch != two.epoch
    assert (one.menu, one.secret) == (None, False)


async def test_a_claim_run_twice_by_the_same_delivery_still_counts_as_first(redis, redis_prefix):  # noqa: F811
    # a command re-sent on a dropped connection may reach Redis twice: the second run reads
    # back the claim's own token, so the update is not taken for a duplicate of itself
    state = RedisTelegramState(redis, redis_prefix)
    assert await state.claim(11, b"attempt-1")
    assert await state.claim(11, b"attempt-1")
    assert not await state.claim(11, b"attempt-2")


async def test_reading_a_chat_state_on_redis_renews_its_ttl(redis, redis_prefix):  # noqa: F811
    state = RedisTelegramState(redis, redis_prefix)
    await state.save_chat(6, ChatState("ab12cd34", menu=3))
    key = f"{redis_prefix}tg:chat:6"
    await redis.pexpire(key, 1000)
    assert await state.chat(6) == ChatState("ab12cd34", menu=3)
    assert await redis.pttl(key) > (CHAT_TTL_S - 60) * 1000


async def test_reading_a_chat_state_in_memory_renews_its_ttl(clock):
    state = MemoryTelegramState(clock)
    await state.save_chat(6, ChatState("ab12cd34", menu=3))
    clock.advance(CHAT_TTL_S - 60)
    assert await state.chat(6) is not None  # read: a day from now again
    clock.advance(CHAT_TTL_S - 60)
    assert await state.chat(6) == ChatState("ab12cd34", menu=3)
    clock.advance(CHAT_TTL_S + 1)
    assert await state.chat(6) is None
