"""The outbox as a queue with a lease, on Postgres and SQLite, through the real SDK and fake AT.

The crash story: a worker claims a message (`sending`, leased) and dies. Nobody sends it while
the lease holds; once it lapses the next worker sends it, and nothing is lost. If the worker
died after AT took the message but before writing that down, the message goes out once more
(AT has no idempotency key): at most one duplicate, never more.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import timedelta

from sqlalchemy import select

from gateway.clock import FixedClock
from gateway.purchases.service import PurchaseService
from gateway.store import outbox, outbox_queue
from gateway.store.outbox import OutboxMessage
from gateway.store.tables import outbox_table
from gateway.worker.notifier import LogNotifier, Notifiers, SendResult
from gateway.worker.runner import Worker
from gateway.worker.wakeup import LocalWakeUp
from tests.fixtures.fake_at import Step
from tests.purchases.conftest import START
from tests.sms_out.conftest import LEASE_S, PHONE, POLICY, lane, message, queue
from tests.worker.harness import FAST, eventually

LEASE = timedelta(seconds=LEASE_S)


class HungSms:
    """A provider that never answers until released (the worker dies or waits meanwhile)."""

    concurrency = 8

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started: list[int] = []

    async def send(self, message: OutboxMessage) -> SendResult:
        self.started.append(message.id)
        await self.release.wait()
        return SendResult.sent(f"hung-{message.id}")


async def claim(sessionmaker, clock: FixedClock, limit: int = 10) -> list[OutboxMessage]:
    """What a worker's claim does, committed: the worker may die right after."""
    now = clock.now()
    async with sessionmaker.begin() as session:
        return await outbox_queue.claim_due(
            session, channel="sms", now=now, lease_until=now + LEASE, limit=limit
        )


async def test_a_message_is_sent_once_and_ats_answer_is_recorded(
    sessionmaker, sender, fake_at, clock
):
    message_id = await queue(sessionmaker)

    run = await lane(sessionmaker, sender, clock).run_once()

    assert (run.sent, run.retried, run.failed) == (1, 0, 0)
    (sms,) = fake_at.accepted
    sent = await message(sessionmaker, message_id)
    assert (sent.status, sent.attempts, sent.sent_at, sent.lease_until) == ("sent", 1, START, None)
    assert (sent.provider_message_id, sent.provider_status_code) == (sms.message_id, 101)
    assert (sent.provider_status, sent.provider_cost) == ("Success", "NGN 2.2000")


async def test_no_transaction_or_row_lock_is_held_while_at_answers(sessionmaker, clock):
    message_id = await queue(sessionmaker)
    seen: list[tuple[str, object]] = []

    class LookingSms:
        concurrency = 1

        async def send(self, claimed: OutboxMessage) -> SendResult:
            # another connection locks the row and writes the table while "AT" answers
            async with sessionmaker.begin() as session:
                row = await session.execute(
                    select(outbox_table.c.status, outbox_table.c.lease_until)
                    .where(outbox_table.c.id == claimed.id)
                    .with_for_update(nowait=True)
                )
                seen.append(tuple(row.one()))
                await outbox.enqueue(session, phone=PHONE, body="written meanwhile", at=START)
            return SendResult.sent("looked")

    await asyncio.wait_for(lane(sessionmaker, LookingSms(), clock).run_once(), 10)

    assert seen == [("sending", START + LEASE)]
    assert (await message(sessionmaker, message_id)).status == "sent"


async def test_a_worker_killed_after_claiming_loses_nothing(sessionmaker, sender, fake_at, clock):
    message_id = await queue(sessionmaker)
    hung = HungSms()
    first = lane(sessionmaker, hung, clock)
    stopping = asyncio.Event()
    running = asyncio.create_task(
        first.run(stopping, interval_s=0.05, error_backoff_s=0.05, grace_s=1)
    )
    await eventually(lambda: _started(hung), what="the first worker to claim")
    first.abort()  # killed: the claim stays, nothing recorded
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert (await message(sessionmaker, message_id)).status == "sending"
    second = lane(sessionmaker, sender, clock)

    assert (await second.run_once()).handled == 0  # the lease still holds
    clock.advance(LEASE_S + 1)
    assert (await second.run_once()).sent == 1

    sent = await message(sessionmaker, message_id)
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert len(fake_at.accepted) == 1


async def test_a_crash_after_at_took_it_sends_it_at_most_once_more(
    sessionmaker, sender, fake_at, clock
):
    message_id = await queue(sessionmaker)
    (claimed,) = await claim(sessionmaker, clock)
    taken = await sender.send(claimed)  # AT takes it; the worker dies before writing it down
    assert taken.provider_message_id is not None
    sending = lane(sessionmaker, sender, clock)

    clock.advance(LEASE_S + 1)
    await sending.run_once()
    for _ in range(3):
        clock.advance(LEASE_S + POLICY.cap_s)
        assert (await sending.run_once()).handled == 0

    assert [sms.to for sms in fake_at.accepted] == [PHONE, PHONE]  # one duplicate, no more
    assert (await message(sessionmaker, message_id)).status == "sent"


async def test_a_stalled_worker_cannot_overwrite_the_outcome_of_the_one_that_took_over(
    sessionmaker, sender, fake_at, clock
):
    message_id = await queue(sessionmaker)
    (stale,) = await claim(sessionmaker, clock)
    clock.advance(LEASE_S + 1)
    await lane(sessionmaker, sender, clock).run_once()  # took over after the lease lapsed

    late = POLICY.outcome(stale, SendResult.retry("timeout"), clock.now())
    async with sessionmaker.begin() as session:
        await outbox_queue.record(session, [late])

    sent = await message(sessionmaker, message_id)
    assert (sent.status, sent.provider_message_id) == ("sent", fake_at.accepted[0].message_id)


async def test_an_at_error_is_retried_after_its_backoff_and_then_sent(
    sessionmaker, sender, fake_at, clock
):
    message_id = await queue(sessionmaker)
    fake_at.then(Step.http(503))
    sending = lane(sessionmaker, sender, clock)

    assert (await sending.run_once()).retried == 1
    waiting = await message(sessionmaker, message_id)
    assert (waiting.status, waiting.last_error) == ("queued", "HTTP error: Service Unavailable")
    assert waiting.next_attempt_at == START + timedelta(seconds=POLICY.base_s)
    assert (await sending.run_once()).handled == 0  # not before its time
    clock.advance(POLICY.base_s)
    assert (await sending.run_once()).sent == 1

    sent = await message(sessionmaker, message_id)
    assert (sent.status, sent.attempts) == ("sent", 2)


async def test_after_the_last_retry_a_message_is_failed_and_listed_as_failed(
    sessionmaker, sender, fake_at, clock, caplog
):
    message_id = await queue(sessionmaker, body="PayLink: code 482913")
    fake_at.outage = True
    sending = lane(sessionmaker, sender, clock)
    caplog.set_level(logging.INFO)

    for _ in range(POLICY.max_attempts + 2):
        await sending.run_once()
        clock.advance(POLICY.cap_s)

    assert fake_at.requests == POLICY.max_attempts
    async with sessionmaker() as session:
        (failed,) = await outbox.recent(session, status="failed")
    assert failed.id == message_id
    assert (
        failed.last_error
        == f"gave up after {POLICY.max_attempts} attempts: HTTP error: Service Unavailable"
    )
    assert "482913" not in caplog.text
    assert "+234803****567" in caplog.text  # the phone only masked


async def test_a_refused_number_fails_at_once_and_is_never_retried(
    sessionmaker, sender, fake_at, clock
):
    message_id = await queue(sessionmaker)
    fake_at.codes[PHONE] = 409
    sending = lane(sessionmaker, sender, clock)

    assert (await sending.run_once()).failed == 1
    clock.advance(POLICY.cap_s * 10)
    assert (await sending.run_once()).handled == 0

    failed = await message(sessionmaker, message_id)
    assert (failed.status, failed.attempts, failed.provider_status_code) == ("failed", 1, 409)
    assert failed.last_error == "AT status 409 DoNotDisturbRejection"


async def test_two_workers_never_send_one_message_twice(sessionmaker, sender, fake_at, clock):
    for n in range(40):
        await queue(sessionmaker, body=f"PayLink: message {n}")
    first, second = lane(sessionmaker, sender, clock), lane(sessionmaker, sender, clock)

    runs = await asyncio.gather(first.run_once(limit=25), second.run_once(limit=25))
    runs += await asyncio.gather(first.run_once(limit=25), second.run_once(limit=25))

    assert sum(run.sent for run in runs) == 40
    assert fake_at.stats() | {"requests": 0} == {
        "requests": 0,
        "accepted": 40,
        "distinct": 40,
        "duplicates": 0,
    }


async def test_a_slow_sms_provider_does_not_delay_telegram(sessionmaker, clock):
    hung = HungSms()
    worker = Worker(
        PurchaseService(sessionmaker, clock, worker_id="w-sms"),
        None,  # type: ignore[arg-type] - no purchases in this test
        wakeup=LocalWakeUp(),
        clock=clock,
        notifiers=Notifiers({"sms": hung}),
        config=dataclasses.replace(FAST, recheck_interval_s=None),
    )
    assert isinstance(worker.lanes["telegram"].notifier, LogNotifier)
    sms_id = await queue(sessionmaker)
    telegram_id = await queue(sessionmaker, channel="telegram")
    worker.start()
    try:
        await eventually(lambda: _started(hung), what="the SMS to hang")
        sent = await eventually(lambda: _sent(sessionmaker, telegram_id), what="the Telegram")
        assert sent.provider_message_id == "log"
        assert (await message(sessionmaker, sms_id)).status == "sending"
        hung.release.set()
        await eventually(lambda: _sent(sessionmaker, sms_id), what="the SMS once released")
    finally:
        hung.release.set()
        await worker.stop()


async def _started(hung: HungSms) -> bool:
    return bool(hung.started)


async def _sent(sessionmaker, message_id: int) -> OutboxMessage | None:
    found = await message(sessionmaker, message_id)
    return found if found.status == "sent" else None


async def test_an_at_outage_loses_nothing_and_drains_once_at_is_back(
    sessionmaker, sender, fake_at, clock
):
    for n in range(20):
        await queue(sessionmaker, body=f"PayLink: receipt {n}")
    fake_at.outage = True
    sending = lane(sessionmaker, sender, clock)
    assert (await sending.run_once()).retried == 20

    fake_at.outage = False
    clock.advance(POLICY.base_s)
    run = await sending.run_once()

    assert run.sent == 20
    assert fake_at.stats()["accepted"] == fake_at.stats()["distinct"] == 20
