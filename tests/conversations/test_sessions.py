"""Both session stores keep one contract: JSON with a version, a TTL, and a revision check.

The race the revision check exists for: two hops of one session (a telco retry while the first
is still running) both load revision N and both try to save. Exactly one save may land; the
other must be refused, never silently overwrite the first.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace

import pytest

from gateway.conversations.record import decode, encode
from gateway.conversations.sessions import (
    MemorySessionStore,
    RedisSessionStore,
    StaleRevision,
    _Lua,
)
from gateway.flows.model import Screen
from gateway.store.redis_pipeline import AutoPipeline
from tests.conversations.records import conversation, record


async def test_a_saved_record_loads_back(store):
    saved = record(rev=1)
    await store.save("ussd", "ATUid_1", saved)
    loaded = await store.load("ussd", "ATUid_1")
    assert loaded == saved
    assert loaded.conv == conversation()


async def test_unknown_sessions_load_as_none(store):
    assert await store.load("ussd", "ATUid_none") is None


async def test_a_stale_revision_is_rejected(store):
    await store.save("ussd", "ATUid_1", record(rev=1))
    await store.save("ussd", "ATUid_1", record(rev=2))
    with pytest.raises(StaleRevision):
        await store.save("ussd", "ATUid_1", record(rev=2))  # loaded 1, but 2 is there now
    with pytest.raises(StaleRevision):
        await store.save("ussd", "ATUid_1", record(rev=1))  # "new" while one exists
    with pytest.raises(StaleRevision):
        await store.save("ussd", "ATUid_1", record(rev=4))  # skipping a revision
    assert (await store.load("ussd", "ATUid_1")).rev == 2


async def test_of_concurrent_saves_of_one_revision_exactly_one_lands(store):
    await store.save("ussd", "ATUid_1", record(rev=1))
    attempts = [record(rev=2, answer=Screen(f"answer {n}")) for n in range(10)]
    results = await asyncio.gather(
        *(store.save("ussd", "ATUid_1", r) for r in attempts), return_exceptions=True
    )
    landed = [a for a, r in zip(attempts, results, strict=True) if r is None]
    assert len(landed) == 1
    assert sum(isinstance(r, StaleRevision) for r in results) == 9
    assert await store.load("ussd", "ATUid_1") == landed[0]


async def test_sessions_are_scoped_by_channel(store):
    await store.save("ussd", "same-id", record(rev=1))
    assert await store.load("sms", "same-id") is None
    await store.save("sms", "same-id", record(rev=1, answer=Screen("hello")))
    assert (await store.load("ussd", "same-id")).answer == record().answer


async def test_side_records_put_get_delete(store):
    await store.put("ussd:x", b"1", 60)
    assert await store.get("ussd:x") == b"1"
    await store.delete("ussd:x")
    assert await store.get("ussd:x") is None


async def test_no_session_id_can_name_a_side_record(store):
    await store.put("ussd:pin:ATUid_1", b"staged", 30)
    await store.save("ussd", "pin:ATUid_1", record(rev=1))
    assert await store.get("ussd:pin:ATUid_1") == b"staged"
    assert await store.load("ussd", "pin:ATUid_1") == record(rev=1)


async def test_field_records_exchange_atomically(store):
    assert await store.exchange("ussd:line", {"sid": b"s1", "drop": b"d"}, (), 60) == {}
    before = await store.exchange("ussd:line", {"sid": b"s2"}, ("drop",), 60)
    assert before == {"sid": b"s1", "drop": b"d"}
    assert await store.exchange("ussd:line", {}, (), 60) == {"sid": b"s2"}


async def test_field_records_expire(redis, prefix, ticker):
    memory = MemorySessionStore(now=ticker)
    await memory.exchange("ussd:line", {"sid": b"s1"}, (), 10)
    ticker.now += 11
    assert await memory.exchange("ussd:line", {}, (), 10) == {}
    store = RedisSessionStore(redis, prefix)
    await store.exchange("ussd:line", {"sid": b"s1"}, (), 0.2)
    assert 0 < await redis.pttl(f"{prefix}conv:side:ussd:line") <= 200
    await asyncio.sleep(0.3)
    assert await store.exchange("ussd:line", {}, (), 10) == {}


async def test_redis_keeps_json_with_a_version_under_the_prefix_with_a_ttl(redis, prefix):
    store = RedisSessionStore(redis, prefix, 180.0)
    await store.save("ussd", "ATUid_1", record(rev=1))
    key = f"{prefix}conv:ussd:ATUid_1"
    raw = await redis.get(key)
    body = json.loads(raw)
    assert list(body)[:2] == ["rev", "v"]
    assert body["v"] == 2
    assert body["conv"]["v"] == 1
    assert 170_000 < await redis.pttl(key) <= 180_000
    await store.put("ussd:pin:ATUid_1", b"x", 30)
    assert 0 < await redis.pttl(f"{prefix}conv:side:ussd:pin:ATUid_1") <= 30_000


async def test_redis_treats_another_version_or_garbage_as_no_session(redis, prefix):
    store = RedisSessionStore(redis, prefix, 180.0)
    key = f"{prefix}conv:ussd:ATUid_1"
    old = encode(replace(record(), rev=4)).replace(b'"v":2', b'"v":1')
    await redis.set(key, old)
    assert await store.load("ussd", "ATUid_1") is None
    await store.save("ussd", "ATUid_1", record(rev=1))  # a fresh start is allowed
    await redis.set(key, b"not json at all")
    assert await store.load("ussd", "ATUid_1") is None
    await store.save("ussd", "ATUid_1", record(rev=1))
    assert (await store.load("ussd", "ATUid_1")).rev == 1


async def test_a_script_redis_does_not_know_yet_is_loaded_and_run(redis, prefix):
    # a new source stands for a flushed or restarted Redis (SCRIPT FLUSH would hit other users)
    script = _Lua(redis, AutoPipeline(redis), f"return {{KEYS[1], ARGV[1]}} -- {uuid.uuid4().hex}")
    assert await script(f"{prefix}k", "a") == [f"{prefix}k".encode(), b"a"]
    assert await script(f"{prefix}k", "b") == [f"{prefix}k".encode(), b"b"]


async def test_concurrent_calls_of_a_script_redis_does_not_know_yet_all_get_their_answer(
    redis, prefix
):
    script = _Lua(redis, AutoPipeline(redis), f"return ARGV[1] -- {uuid.uuid4().hex}")
    answers = await asyncio.gather(*(script(f"{prefix}k", str(i)) for i in range(20)))
    assert answers == [str(i).encode() for i in range(20)]


async def test_redis_expires_sessions(redis, prefix):
    store = RedisSessionStore(redis, prefix, 0.2)
    await store.save("ussd", "ATUid_1", record(rev=1))
    await asyncio.sleep(0.3)
    assert await store.load("ussd", "ATUid_1") is None


async def test_memory_store_expires_and_sweeps(ticker):
    store = MemorySessionStore(180.0, now=ticker, sweep_every=2)
    await store.save("ussd", "a", record(rev=1))
    await store.put("ussd:pin:a", b"x", 10)
    ticker.now += 11
    assert await store.get("ussd:pin:a") is None
    assert await store.load("ussd", "a") is not None
    ticker.now += 170
    assert await store.load("ussd", "a") is None
    await store.save("ussd", "b", record(rev=1))
    await store.save("ussd", "c", record(rev=1))  # second write sweeps what expired
    assert len(store) == 2


def test_records_round_trip_and_refuse_what_they_did_not_write():
    original = replace(record(), rev=3, pin_ok=True, conv=None, user_id=None)
    assert decode(encode(original)) == original
    for bad in (b"[]", b'{"v":2}', b'{"v":3,"rev":1}', b"\xff", b'{"v":2,"rev":true}'):
        with pytest.raises(ValueError):  # noqa: PT011 - the one error the contract names
            decode(bad)
    broken = json.loads(encode(record()))
    broken["conv"]["caller"] = []
    with pytest.raises(ValueError):  # noqa: PT011
        decode(json.dumps(broken))
