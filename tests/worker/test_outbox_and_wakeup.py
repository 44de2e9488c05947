"""The worker's ports: sending the outbox (to the log by default), waking (local, Redis)."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid

import pytest
import redis.asyncio as aioredis

from gateway.clock import FixedClock
from gateway.store import outbox
from gateway.store.outbox import OutboxMessage
from gateway.worker.notifier import LogNotifier, Notifier, SendResult
from gateway.worker.outbox_lane import OutboxLane, RetryPolicy
from gateway.worker.wakeup import LocalWakeUp, RedisWakeUp
from tests.purchases.conftest import START

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POLICY = RetryPolicy(base_s=10, cap_s=60, max_attempts=4)


class BrokenSms:
    concurrency = 4

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, message: OutboxMessage) -> SendResult:
        self.calls += 1
        raise ConnectionError("SMS provider down")


def lane(sessionmaker, notifier: Notifier, clock: FixedClock) -> OutboxLane:
    return OutboxLane("sms", notifier, sessionmaker, clock, policy=POLICY, lease_s=60, batch=50)


async def queue(sessionmaker, phone: str = "+2348031234567", body: str = "hello") -> int:
    async with sessionmaker.begin() as session:
        return await outbox.enqueue(session, phone=phone, body=body, at=START)


async def test_the_log_notifier_marks_messages_sent_without_phone_or_body(sessionmaker, caplog):
    first = await queue(sessionmaker, body="Token: 1234")
    second = await queue(sessionmaker, phone="+2348099999999")
    caplog.set_level(logging.INFO, "gateway.worker.notifier")
    sending = lane(sessionmaker, LogNotifier(), FixedClock(START))

    run = await sending.run_once()

    assert (run.sent, run.failed) == (2, 0)
    async with sessionmaker() as session:
        messages = {m.id: m for m in await outbox.recent(session)}
    assert {m.status for m in messages.values()} == {"sent"}
    assert messages[first].provider_message_id == "log"
    assert messages[first].attempts == 1
    assert messages[first].lease_until is None
    assert messages[second].sent_at == START
    logged = caplog.text
    assert "+234803****567" in logged
    assert "2348031234567" not in logged
    assert "Token: 1234" not in logged  # receipts carry tokens and PINs: never logged
    assert (await sending.run_once()).handled == 0


async def test_a_failing_sender_retries_after_a_backoff_then_gives_up(sessionmaker):
    message_id = await queue(sessionmaker)
    sms, clock = BrokenSms(), FixedClock(START)
    sending = lane(sessionmaker, sms, clock)

    for _ in range(POLICY.max_attempts + 2):
        await sending.run_once()
        assert (await sending.run_once()).handled == 0  # not due again before its backoff
        clock.advance(POLICY.cap_s)

    assert sms.calls == POLICY.max_attempts
    async with sessionmaker() as session:
        (message,) = await outbox.recent(session, status="failed")
    assert message.id == message_id
    assert message.attempts == POLICY.max_attempts
    assert message.last_error == f"gave up after {POLICY.max_attempts} attempts: ConnectionError"


async def test_a_local_wakeup_wakes_a_waiting_worker():
    wakeup = LocalWakeUp()
    assert not await wakeup.wait(0.01)
    waiter = asyncio.create_task(wakeup.wait(5))
    await asyncio.sleep(0)
    await wakeup.notify()
    assert await waiter
    assert not await wakeup.wait(0.01)  # consumed


@pytest.fixture
async def redis_client():
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception:  # pragma: no cover - CI starts Redis; a laptop may not
        await client.aclose()
        pytest.skip("no Redis at PAYLINK_TEST_REDIS_URL")
    yield client
    await client.aclose()


async def test_a_redis_wakeup_crosses_processes(redis_client):
    channel = f"paylink-test:{uuid.uuid4().hex}:worker:wake"
    worker_side = RedisWakeUp(redis_client, channel)
    gateway_side = RedisWakeUp(redis_client, channel)
    try:
        await worker_side.wait(0.2)  # subscribes (and may wake once for the subscription)

        async def notify_soon() -> None:
            await asyncio.sleep(0.05)
            await gateway_side.notify()

        sender = asyncio.create_task(notify_soon())
        assert await worker_side.wait(5)
        await sender
    finally:
        await worker_side.close()
        await gateway_side.close()
