"""One channel's outbox lane: claim due messages, send them outside any transaction, record.

Each outbox channel has its own lane (`Worker` starts one per channel), so a slow or failing
SMS provider never delays Telegram receipts, and the other way round. A lane keeps up to its
notifier's `concurrency` messages in flight; whenever sends finish it writes their results and
claims as many new messages as there are free slots, both in one short transaction
(`gateway.store.outbox_queue`). No transaction is open while a provider answers.

Crash safety: a claim is a lease (`lease_until`). If the worker dies after claiming, the lease
lapses and any worker claims the message again: nothing is lost. If it dies after the provider
took a message but before the result was written, that message is sent once more when its
lease lapses: at most one duplicate per message per crash (Africa's Talking has no
idempotency key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.logs import mask_msisdn
from gateway.metrics import OUTBOX_SENDS, SEND_FAILURES, bounded
from gateway.store import outbox_queue
from gateway.store.outbox import OutboxMessage
from gateway.store.outbox_queue import SendRecord
from gateway.worker.notifier import Notifier, Outcome, SendResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a message that was not taken is tried again, and when it is given up.

    Exponential from `base_s`, capped at `cap_s`: the defaults try 30 times over about two
    hours (15 s, 30 s, 1, 2, 4 min, then every 5 min), so an AT outage of an hour loses
    nothing, and a message waits at most `cap_s` after AT recovers.
    """

    base_s: float = 15.0
    cap_s: float = 300.0
    max_attempts: int = 30

    def __post_init__(self) -> None:
        if not (0 < self.base_s <= self.cap_s and self.max_attempts >= 1):
            raise ValueError("RetryPolicy needs 0 < base_s <= cap_s and max_attempts >= 1")

    def delay_s(self, attempts: int) -> float:
        """The wait after the `attempts`-th failed attempt (1 for the first)."""
        exponent = max(attempts - 1, 0)
        if exponent >= 32:  # 2**32 * base is past any cap; avoids a huge float
            return self.cap_s
        return float(min(self.cap_s, self.base_s * 2**exponent))

    def outcome(self, message: OutboxMessage, result: SendResult, now: datetime) -> SendRecord:
        """The row to write for `message` (claimed, so `attempts` counts this one)."""
        assert message.lease_until is not None  # noqa: S101 - claimed messages carry a lease
        sent = result.outcome is Outcome.SENT
        status, due, error = "sent", None, result.error
        if not sent:
            error = result.error or "not sent"
            if result.outcome is Outcome.REJECTED:
                status = "failed"
            elif message.attempts >= self.max_attempts:
                status, error = "failed", f"gave up after {message.attempts} attempts: {error}"
            else:
                status = "queued"
                due = now + timedelta(seconds=self.delay_s(message.attempts))
        return SendRecord(
            message.id,
            message.lease_until,
            status,
            sent_at=now if sent else None,
            next_attempt_at=due,
            provider_message_id=result.provider_message_id if sent else None,
            provider_status_code=result.status_code,
            provider_status=result.status,
            provider_cost=result.cost if sent else None,
            last_error=error,
        )


@dataclass(frozen=True, slots=True)
class LaneRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


class OutboxLane:
    """The sending of one channel's messages; see the module docstring."""

    def __init__(
        self,
        channel: str,
        notifier: Notifier,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        policy: RetryPolicy,
        lease_s: float,
        batch: int,
    ) -> None:
        self.channel = channel
        self.notifier = notifier
        self.concurrency = max(1, int(notifier.concurrency))
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._policy = policy
        self._lease = timedelta(seconds=lease_s)
        self._batch = max(1, batch)
        self._inflight: set[asyncio.Task[SendRecord]] = set()
        self._unrecorded: list[SendRecord] = []
        self._wake = asyncio.Event()
        self._aborted = False
        self.totals = LaneRun()

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    def poke(self) -> None:
        """Look for due messages now (a receipt was just queued) instead of at the next sweep."""
        self._wake.set()

    async def run_once(self, limit: int | None = None) -> LaneRun:
        """Claim one batch, send it, record every result; for the CLI, tests and shutdown."""
        batch = await self._exchange([], limit or self._batch)
        records = list(await asyncio.gather(*(self._send(m) for m in batch)))
        await self._exchange(records, 0)
        return _count(records)

    async def run(
        self, stopping: asyncio.Event, *, interval_s: float, error_backoff_s: float, grace_s: float
    ) -> None:
        """Send until `stopping` is set, then let in-flight sends finish (up to `grace_s`)."""
        self._aborted = False
        try:
            while not stopping.is_set():
                want = min(self._batch, self.concurrency - len(self._inflight))
                try:
                    claimed = await self._flush_and_claim(want)
                except Exception:
                    logger.exception(
                        "outbox lane %s could not claim or record; retrying", self.channel
                    )
                    await _wait(self._wake, error_backoff_s)
                    continue
                for message in claimed:
                    self._start(message)
                if want > 0 and len(claimed) == want:
                    continue  # a full batch: more may be due
                await _wait(self._wake, interval_s)
        finally:
            await self._drain(grace_s)

    def abort(self) -> list[asyncio.Task[SendRecord]]:
        """Cancel in-flight sends without recording them, as a crash would (tests)."""
        self._aborted = True
        tasks = list(self._inflight)
        for task in tasks:
            task.cancel()
        self._unrecorded.clear()
        return tasks

    # -- internals ----------------------------------------------------------------------------

    def _start(self, message: OutboxMessage) -> None:
        task = asyncio.create_task(self._send(message), name=f"outbox-{self.channel}-{message.id}")
        self._inflight.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[SendRecord]) -> None:
        self._inflight.discard(task)
        if not (self._aborted or task.cancelled()) and task.exception() is None:
            self._unrecorded.append(task.result())
        self._wake.set()

    async def _send(self, message: OutboxMessage) -> SendRecord:
        try:
            result = await self.notifier.send(message)
        except Exception as exc:  # the notifier's bug or an unexpected failure: retry
            logger.warning(
                "outbox #%d (%s) send raised %s", message.id, self.channel, type(exc).__name__
            )
            result = SendResult.retry(type(exc).__name__)
        record = self._policy.outcome(message, result, self._clock.now())
        self._log(message, record)
        self._count(result, record)
        return record

    def _count(self, result: SendResult, record: SendRecord) -> None:
        outcome = "retry" if record.status == "queued" else record.status
        OUTBOX_SENDS.labels(self.channel, outcome).inc()
        if result.outcome is not Outcome.SENT:
            SEND_FAILURES.labels(self.channel, failure_reason(result)).inc()

    def _log(self, message: OutboxMessage, record: SendRecord) -> None:
        if record.status == "failed":
            logger.warning(
                "outbox #%d to %s (%s) failed: %s",
                message.id,
                mask_msisdn(message.phone),
                self.channel,
                record.last_error,
            )
        elif record.status == "queued":
            logger.info(
                "outbox #%d (%s) not sent (attempt %d: %s); retry at %s",
                message.id,
                self.channel,
                message.attempts,
                record.last_error,
                record.next_attempt_at,
            )

    async def _flush_and_claim(self, claim: int) -> list[OutboxMessage]:
        records = list(self._unrecorded)
        claimed = await self._exchange(records, claim)
        del self._unrecorded[: len(records)]  # written; more may have finished meanwhile
        return claimed

    async def _exchange(self, records: list[SendRecord], claim: int) -> list[OutboxMessage]:
        """Write `records` and claim up to `claim` due messages, in one short transaction."""
        if not records and claim <= 0:
            return []
        now = self._clock.now()
        async with self._sessionmaker.begin() as session:
            await outbox_queue.record(session, records)
            claimed = await outbox_queue.claim_due(
                session,
                channel=self.channel,
                now=now,
                lease_until=now + self._lease,
                limit=claim,
            )
        done = _count(records)
        t = self.totals
        self.totals = LaneRun(t.sent + done.sent, t.retried + done.retried, t.failed + done.failed)
        return claimed

    async def _drain(self, grace_s: float) -> None:
        if self._aborted:
            return
        if self._inflight:
            _, unfinished = await asyncio.wait(set(self._inflight), timeout=grace_s)
            for task in unfinished:
                task.cancel()  # its thread may still send: the lease lapses, it is sent again
            if unfinished:
                logger.warning(
                    "outbox lane %s left %d sends unrecorded (sent again after their lease)",
                    self.channel,
                    len(unfinished),
                )
                await asyncio.gather(*unfinished, return_exceptions=True)
        try:
            await self._flush_and_claim(0)
        except Exception:  # the database is down: the leases lapse and the sends repeat
            logger.exception("outbox lane %s could not record its last results", self.channel)


def failure_reason(result: SendResult) -> str:
    """A short, bounded label for why a send did not go: the provider's status word
    (`InvalidPhoneNumber`), its HTTP status, or the error when it is one word (`timeout`, an
    exception's class name); else whether it is retried or rejected."""
    if result.status:
        return bounded(result.status, result.outcome.value)
    if result.status_code is not None:
        return f"http_{result.status_code}"
    return bounded(result.error, result.outcome.value)


def _count(records: list[SendRecord]) -> LaneRun:
    sent = sum(r.status == "sent" for r in records)
    retried = sum(r.status == "queued" for r in records)
    return LaneRun(sent, retried, len(records) - sent - retried)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Until `event` is set or `seconds` pass; then clear it (the caller looks at everything)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    event.clear()
