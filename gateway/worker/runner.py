"""The worker loop: claim due purchases, vend or requery them concurrently, send the outbox.

Sharing work: every claim goes through `PurchaseService.claim_batch` (`FOR UPDATE SKIP
LOCKED` plus a lease on Postgres), so any number of workers, in any number of processes, take
disjoint batches. The lease is short (`PurchasePolicy.vend_lease_s`) and a heartbeat renews it
every `heartbeat_interval_s` for every purchase the worker holds, in one UPDATE: a live
worker's purchases are never taken from it, however long VTPass takes, while a dead worker's
leases lapse within one lease and the next sweep finishes its purchases by requery (the batch
claim moves initiated purchases to pending before any `/pay` leaves, so nothing is ever paid
twice). Waking: a submit calls `WakeUp.notify`, the worker claims at once; a sweep every
`sweep_interval_s` catches whatever a lost wake-up left. Only as many purchases are claimed as
there are free slots, so no lease sits idle behind a full semaphore.

The outbox is sent by one lane per channel (`gateway.worker.outbox_lane`), each through its
channel's `Notifier` from the `Notifiers` registry, so a slow SMS provider never holds back a
Telegram receipt; a settled purchase pokes every lane.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from gateway.clock import Clock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import GatewayError
from gateway.purchases.models import VendingGateway
from gateway.purchases.service import PurchaseService
from gateway.store.purchases import PurchaseRecord
from gateway.vtpass.catalogue import CachedCatalogue
from gateway.worker.catalogue import refresh_catalogue
from gateway.worker.notifier import Notifiers
from gateway.worker.outbox_lane import OutboxLane, RetryPolicy
from gateway.worker.recheck import recheck_delivered
from gateway.worker.wakeup import WorkerWakeUp

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """Tuning knobs; the defaults suit one process against VTPass's ~1-2 s `/pay`."""

    concurrency: int = 2000  # purchases in flight at once (each mostly waits on VTPass)
    batch: int = 250  # purchases claimed per query
    sweep_interval_s: float = 5.0  # look for due work at least this often
    outbox_batch: int = 250  # messages claimed per query, per channel (up to its notifier's slots)
    outbox_interval_s: float = 5.0
    # a claimed message is someone else's to send once this lapses: far above one send's timeout
    outbox_lease_s: float = 120.0
    outbox_retry: RetryPolicy = field(default_factory=RetryPolicy)
    catalogue_refresh_s: float | None = 3600.0  # None: never (tests)
    shutdown_grace_s: float = 10.0  # how long in-flight purchases may finish on stop
    error_backoff_s: float = 1.0  # pause after a failed claim (database down)
    recheck_interval_s: float | None = 60.0  # post-delivery checks (reversals); None: never
    # renew the leases of held purchases this often; well inside `PurchasePolicy.vend_lease_s`
    heartbeat_interval_s: float = 10.0


class Worker:
    """Vends and requeries purchases, sends notifications, refreshes the catalogue.

    `start()` launches the loops in the background; `stop()` stops claiming, lets in-flight
    purchases finish (up to `shutdown_grace_s`), cancels the rest and releases their leases.
    `run_due()` processes one batch in the caller's task (CLI, tests).
    """

    def __init__(
        self,
        service: PurchaseService,
        gateway: VendingGateway,
        *,
        wakeup: WorkerWakeUp,
        clock: Clock,
        notifiers: Notifiers | None = None,
        catalogue: CachedCatalogue | None = None,
        config: WorkerConfig | None = None,
    ) -> None:
        self.service = service
        self._gateway = gateway
        self._wakeup = wakeup
        self._clock = clock
        self._catalogue = catalogue
        self.config = config or WorkerConfig()
        lease_s = service.policy.vend_lease_s
        if not 0 < self.config.heartbeat_interval_s <= lease_s / 2:
            raise ValueError(
                f"heartbeat_interval_s must be positive and at most half the {lease_s:g} s lease"
            )
        self._inflight: set[asyncio.Task[None]] = set()
        self._held: set[int] = set()  # ids of the purchases being vended or requeried here
        self._heartbeat: asyncio.Task[None] | None = None
        self._loops: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        registry = notifiers or Notifiers()
        self.lanes = {
            channel: OutboxLane(
                channel,
                registry.for_channel(channel),
                service.sessionmaker,
                clock,
                policy=self.config.outbox_retry,
                lease_s=self.config.outbox_lease_s,
                batch=self.config.outbox_batch,
            )
            for channel in registry.channels
        }
        self.processed = 0  # purchases handled since start (for logs and the benchmark)

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    @property
    def running(self) -> bool:
        return any(not loop.done() for loop in self._loops)

    @property
    def held(self) -> frozenset[int]:
        """The purchases whose leases this worker's heartbeat keeps alive."""
        return frozenset(self._held)

    def start(self) -> None:
        """Run the loops in background tasks until `stop()`."""
        if self.running:
            raise RuntimeError("the worker is already running")
        self._stopping.clear()
        self._loops = [self._spawn_loop(self._purchase_loop(), "worker-purchases")]
        for lane in self.lanes.values():
            self._loops.append(
                self._spawn_loop(self._outbox_loop(lane), f"worker-outbox-{lane.channel}")
            )
        if self._catalogue is not None and self.config.catalogue_refresh_s is not None:
            self._loops.append(self._spawn_loop(self._catalogue_loop(), "worker-catalogue"))
        if self.config.recheck_interval_s is not None:
            self._loops.append(self._spawn_loop(self._recheck_loop(), "worker-recheck"))
        # not in `_loops`: it beats on through `stop()`'s grace period, for the purchases
        # still finishing
        self._heartbeat = self._spawn_loop(self._heartbeat_loop(), "worker-heartbeat")
        logger.info(
            "worker %s started (up to %d purchases in flight)",
            self.service.worker_id,
            self.config.concurrency,
        )

    async def stop(self) -> None:
        """Graceful stop: no new claims, finish or cancel in-flight work, release leases."""
        self._stopping.set()
        self._wakeup.poke()
        self._poke_outbox()
        loops, self._loops = self._loops, []
        for loop in loops:
            if loop.get_name() == "worker-catalogue":
                loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await self._finish_in_flight()
        # a purchase cancelled after the grace may have left its settlement running in a
        # group-commit batch, holding a database connection: it commits before we go on
        await self.service.drain()
        await self._stop_heartbeat()
        with contextlib.suppress(Exception):
            released = await self.service.release_claims()
            if released:
                logger.info("worker released %d unfinished purchases", released)
        with contextlib.suppress(Exception):  # receipts settled during the grace period
            await self.send_outbox()
        logger.info("worker %s stopped", self.service.worker_id)

    async def abort(self) -> None:
        """Stop at once, as a crash would: nothing finishes, no lease is released.

        For tests and emergencies; the leases expire and another worker's sweep requeries.
        """
        self._stopping.set()
        tasks: list[asyncio.Task[Any]] = [*self._loops, *self._inflight]
        for lane in self.lanes.values():
            tasks.extend(lane.abort())  # claimed messages stay `sending` until their lease lapses
        if self._heartbeat is not None:
            tasks.append(self._heartbeat)
            self._heartbeat = None
        self._loops = []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def run_due(self, limit: int | None = None) -> int:
        """Claim one batch of due purchases and process it to the end; returns how many.

        Leases are renewed only while the worker is started; without its heartbeat a lease
        may lapse mid-call, and another worker then requeries (never pays) the purchase.
        """
        due = await self.service.claim_batch(limit or self.config.batch)
        await asyncio.gather(*(self._process(purchase, status) for purchase, status in due))
        return len(due)

    async def recheck_delivered(self) -> int:
        """Requery the delivered purchases whose post-delivery check is due; returns how many."""
        checked = await recheck_delivered(
            self.service, self._gateway, self._clock, limit=self.config.batch
        )
        if checked:
            self._poke_outbox()  # a reversal found queues a receipt
        return checked

    async def beat(self) -> int:
        """Renew the leases of every purchase this worker holds, in one UPDATE; returns how
        many it still holds (one taken over after its lease lapsed is not taken back)."""
        return await self.service.extend_leases(self.held) if self._held else 0

    async def send_outbox(self) -> int:
        """Send one batch of due notifications per channel; returns how many were handled.

        Raises:
            Exception: the first lane's failure, once every lane has finished its batch.
        """
        # Every lane runs to its end even when another fails: a plain gather would return at
        # the first failure with the other lanes still in their transactions, and `stop()`
        # would let the app dispose of the engine under them (their connections then leak).
        runs = await asyncio.gather(
            *(lane.run_once() for lane in self.lanes.values()), return_exceptions=True
        )
        handled = 0
        for run in runs:
            if isinstance(run, BaseException):
                raise run
            handled += run.handled
        return handled

    def _poke_outbox(self) -> None:
        for lane in self.lanes.values():
            lane.poke()

    # -- loops ---------------------------------------------------------------------------------

    def _spawn_loop(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(_log_crash)
        return task

    async def _purchase_loop(self) -> None:
        config = self.config
        while not self._stopping.is_set():
            free = config.concurrency - len(self._inflight)
            want = min(config.batch, free)
            claimed = 0
            if want > 0:
                try:
                    due = await self.service.claim_batch(want)
                except Exception:
                    logger.exception("worker could not claim purchases; retrying")
                    await self._wakeup.wait(config.error_backoff_s)
                    continue
                for purchase, status in due:
                    task = asyncio.create_task(self._process(purchase, status))
                    self._inflight.add(task)
                    task.add_done_callback(self._done)
                claimed = len(due)
            if want > 0 and claimed == want:
                await asyncio.sleep(0)  # a full batch: more may be due, claim again now
                continue
            if await self._wakeup.wait(config.sweep_interval_s):
                # a wake-up may be for a message alone (an inbound SMS answered by another
                # process): the lanes look at once instead of at their next interval
                self._poke_outbox()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        if len(self._inflight) == self.config.concurrency - 1:
            self._wakeup.poke()  # a slot opened in a full worker: claim again

    async def _process(self, purchase: PurchaseRecord, status: PurchaseStatus) -> None:
        self._held.add(purchase.id)
        try:
            if status is PurchaseStatus.INITIATED:
                record = await self.service.vend_claimed(purchase, self._gateway)
            else:
                record = await self.service.requery(purchase.id, self._gateway)
        except Exception:
            # the lease expires and a later sweep requeries; nothing is paid twice
            logger.exception("worker failed on purchase %s (%s)", purchase.id, status)
            return
        finally:
            self._held.discard(purchase.id)
        self.processed += 1
        if not record.status.is_open:
            self._poke_outbox()

    async def _finish_in_flight(self) -> None:
        if not self._inflight:
            return
        pending = set(self._inflight)
        _, unfinished = await asyncio.wait(pending, timeout=self.config.shutdown_grace_s)
        for task in unfinished:
            task.cancel()
        if unfinished:
            logger.warning("worker cancelled %d purchases still in flight", len(unfinished))
            await asyncio.gather(*unfinished, return_exceptions=True)

    async def _outbox_loop(self, lane: OutboxLane) -> None:
        config = self.config
        await lane.run(
            self._stopping,
            interval_s=config.outbox_interval_s,
            error_backoff_s=config.error_backoff_s,
            grace_s=config.shutdown_grace_s,
        )

    async def _heartbeat_loop(self) -> None:
        interval = self.config.heartbeat_interval_s
        while True:
            await asyncio.sleep(interval)
            try:
                await self.beat()
            except Exception:
                # the leases may lapse: another worker then requeries, which is safe
                logger.exception("worker could not renew its leases; retrying")

    async def _stop_heartbeat(self) -> None:
        beat, self._heartbeat = self._heartbeat, None
        if beat is not None:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)

    async def _recheck_loop(self) -> None:
        interval = self.config.recheck_interval_s or 60.0
        while not self._stopping.is_set():
            try:
                checked = await self.recheck_delivered()
            except Exception:
                logger.exception("worker could not run post-delivery checks; retrying")
                checked = 0
            if checked >= self.config.batch:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), interval)

    async def _catalogue_loop(self) -> None:
        assert self._catalogue is not None  # noqa: S101 - only started with a catalogue
        interval = self.config.catalogue_refresh_s or 3600.0
        # the first fetch is the channels' own warm-up at start; refresh before it expires
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), interval)
            if self._stopping.is_set():
                return
            try:
                summary = await refresh_catalogue(self._catalogue)
                logger.info(
                    "catalogue refreshed: %d services, %d variations",
                    len(summary.services),
                    summary.variation_count,
                )
            except GatewayError as exc:
                logger.warning("catalogue refresh failed: %s", exc)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.error("worker loop %s crashed", task.get_name(), exc_info=exc)
