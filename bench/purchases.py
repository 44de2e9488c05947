"""Purchases per second end to end (submit -> vend -> settle) against the simulator, on Postgres.

Run by hand (not in CI):

    .venv/bin/python bench/purchases.py [--purchases 3000] [--slow-purchases 2000]

The simulator runs in its own process (`paylink simulator`), as VTPass would be elsewhere; this
process holds the gateway side: `PurchaseService.submit` from many concurrent "channels", and
one `Worker` vending through the real `VTPassClient`. Phase 1 measures throughput at 0 ms VTPass
latency; phase 2 sets 1.5 s (`/__sim/latency`) and checks that >= 1,000 purchases are in flight
at once and all settle without error. Every phase ends with `reconcile` on the ledger.
The database is a fresh `gw_bench_<uuid>` on PAYLINK_TEST_DATABASE_URL, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from harness import bench_database, cpu_seconds, free_port, machine, service_cpu
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clock import SystemClock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.purchases.models import PurchaseOrder
from gateway.purchases.reconcile import reconcile_database
from gateway.purchases.service import PurchaseService
from gateway.store.db import create_db_engine, create_sessionmaker
from gateway.store.purchases import PurchaseRecord
from gateway.store.tables import purchases_table
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.models import PayRequest, PayResult
from gateway.vtpass.simulator import DEMO_ACCOUNT
from gateway.worker.runner import Worker, WorkerConfig
from gateway.worker.wakeup import RedisWakeUp

BATCH = 500  # purchases claimed per worker transaction
REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SUCCESS_PHONE = "08011111111"  # the sandbox's "delivered" number, exempt from the 019 guard


class CpuMeter:
    """CPU seconds used by this process, the workers, the simulator and Postgres (every
    backend on this box, as the USSD benchmark counts it)."""

    def __init__(self, sim_pid: int, worker_pids: list[int]) -> None:
        self._sim, self._workers = sim_pid, worker_pids
        self._start = self._read()

    def _read(self) -> dict[str, float]:
        return {
            "submit": time.process_time(),
            "worker": sum(cpu_seconds(pid) for pid in self._workers),
            "simulator": cpu_seconds(self._sim),
            "postgres": service_cpu()["postgres"],
        }

    def per_purchase_ms(self, purchases: int) -> dict[str, float]:
        end = self._read()
        return {k: (end[k] - self._start[k]) * 1000 / purchases for k in end}


@dataclass
class PhaseResult:
    name: str
    purchases: int
    seconds: float
    delivered: int
    not_delivered: int
    submit_p50_ms: float
    submit_p99_ms: float
    max_pays_in_flight: int
    max_claimed: int
    reconcile_ok: bool
    cpu_ms: dict[str, float]
    batches: str

    @property
    def per_second(self) -> float:
        return self.purchases / self.seconds

    def line(self) -> str:
        return (
            f"| {self.name} | {self.purchases} | {self.seconds:.1f} s | "
            f"{self.per_second:.0f}/s | {self.submit_p50_ms:.1f} ms | "
            f"{self.submit_p99_ms:.1f} ms | {self.max_pays_in_flight} | {self.max_claimed} | "
            f"{self.not_delivered} | {'clean' if self.reconcile_ok else 'DISCREPANCIES'} |"
        )

    def cpu_line(self) -> str:
        parts = ", ".join(f"{name} {ms:.2f} ms" for name, ms in self.cpu_ms.items())
        total = sum(self.cpu_ms.values())
        return f"{self.name}: CPU per purchase {parts} (total {total:.2f} ms); {self.batches}"


@contextmanager
def simulator_process() -> Iterator[tuple[str, int]]:
    """`paylink simulator` in its own process; yields its root URL and pid."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYLINK_", "VTPASS_"))}
    env |= {"PAYLINK_SIM_PENDING_RESOLVE_AFTER_S": "manual", "PAYLINK_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "gateway", "simulator", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    root = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(root + "__sim/clock", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.1)
        yield root, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def airtime(naira: int = 100) -> PurchaseOrder:
    return PurchaseOrder(
        channel="api",
        category="airtime",
        service_id="mtn",
        amount=naira * 100,
        phone=SUCCESS_PHONE,
        product="MTN Airtime",
    )


class CountingGateway:
    """The VTPass client, counting `/pay` calls in flight into a slot shared with the parent."""

    def __init__(self, client: VTPassClient, slot: Any) -> None:
        self._client = client
        self._slot = slot

    async def pay(self, request: PayRequest) -> PayResult:
        self._slot.value += 1
        try:
            return await self._client.pay(request)
        finally:
            self._slot.value -= 1

    async def requery(self, request_id: str) -> PayResult:
        return await self._client.requery(request_id)


def worker_process(
    index: int,
    db_url: str,
    sim_root: str,
    channel: str,
    stop: Any,
    slot: Any,
    tasks: Any,
    pool: int,
) -> None:
    """One `paylink worker`-like process: a Worker woken through Redis pub/sub."""
    asyncio.run(_worker_main(index, db_url, sim_root, channel, stop, slot, tasks, pool))


async def _worker_main(
    index: int,
    db_url: str,
    sim_root: str,
    channel: str,
    stop: Any,
    slot: Any,
    tasks: Any,
    pool: int,
) -> None:
    engine = create_db_engine(db_url, pool_size=pool, max_overflow=0)
    redis = Redis.from_url(REDIS_URL)
    wakeup = RedisWakeUp(redis, channel)
    clock = SystemClock()
    service = PurchaseService(create_sessionmaker(engine), clock, worker_id=f"bench-{index}")
    client = VTPassClient(
        sim_root + "api/",
        DEMO_ACCOUNT.api_key,
        DEMO_ACCOUNT.public_key,
        DEMO_ACCOUNT.secret_key,
        pay_read_timeout_s=60,
        read_timeout_s=60,
        connect_timeout_s=30,
    )
    config = WorkerConfig(
        concurrency=2000, batch=BATCH, catalogue_refresh_s=None, sweep_interval_s=0.5
    )
    worker = Worker(
        service,
        CountingGateway(client, slot),
        wakeup=wakeup,
        clock=clock,  # the outbox goes to the log (`Notifiers()`'s default)
        config=config,
    )

    async def report_tasks() -> None:
        while True:
            tasks.value = worker.in_flight
            await asyncio.sleep(0.005)

    worker.start()
    reporter = asyncio.create_task(report_tasks())
    try:
        await asyncio.to_thread(stop.wait)
    finally:
        reporter.cancel()
        await asyncio.gather(reporter, return_exceptions=True)
        await worker.stop()
        await wakeup.close()
        await client.aclose()
        await redis.aclose()
        await engine.dispose()


@contextmanager
def workers(count: int, db_url: str, sim_root: str, channel: str, pool: int) -> Iterator[Any]:
    """`count` worker processes; yields the shared counters of their `/pay` calls in flight,
    and their pids."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    slots = [context.Value("i", 0, lock=False) for _ in range(count)]
    tasks = [context.Value("i", 0, lock=False) for _ in range(count)]
    processes = [
        context.Process(
            target=worker_process,
            args=(i, db_url, sim_root, channel, stop, slots[i], tasks[i], pool),
        )
        for i in range(count)
    ]
    for process in processes:
        process.start()
    try:
        time.sleep(1.0)  # let them connect and subscribe
        yield (slots, tasks), [process.pid for process in processes]
    finally:
        stop.set()
        for process in processes:
            process.join(timeout=60)


async def submit_all(
    service: PurchaseService, users: list[int], count: int, submitters: int
) -> tuple[list[int], list[float]]:
    """Submit `count` purchases from `submitters` concurrent callers; (ids, latencies in s)."""
    latencies: list[float] = []
    ids: list[int] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    run_id = uuid.uuid4().hex[:8]

    async def submitter() -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            result = await service.submit(
                users[i % len(users)], airtime(), idempotency_key=f"{run_id}-{i}"
            )
            latencies.append(time.perf_counter() - started)
            ids.append(result.purchase.id)

    await asyncio.gather(*(submitter() for _ in range(submitters)))
    return ids, latencies


async def wait_settled(
    service: PurchaseService, ids: list[int], counters: tuple[list[Any], list[Any]]
) -> tuple[int, int]:
    """Poll until none of `ids` is open; the peaks of `/pay` calls and of claimed purchases
    in flight in the workers."""
    pays = claimed = 0
    polled = time.perf_counter()
    while True:
        pays = max(pays, sum(slot.value for slot in counters[0]))
        claimed = max(claimed, sum(slot.value for slot in counters[1]))
        if time.perf_counter() - polled >= 0.1:
            polled = time.perf_counter()
            async with service.sessionmaker() as session:
                if await _count_open(session, ids) == 0:
                    return pays, claimed
        await asyncio.sleep(0.005)


async def finish_phase(
    name: str,
    service: PurchaseService,
    ids: list[int],
    latencies: list[float],
    seconds: float,
    peaks: tuple[int, int],
    cpu_ms: dict[str, float],
    batches: str,
) -> PhaseResult:
    async with service.sessionmaker() as session:
        delivered = await _count_status(session, ids, PurchaseStatus.DELIVERED)
    report = await reconcile_database(service.sessionmaker)
    quantiles = statistics.quantiles([s * 1000 for s in latencies], n=100)
    return PhaseResult(
        name=name,
        purchases=len(ids),
        seconds=seconds,
        delivered=delivered,
        not_delivered=len(ids) - delivered,
        submit_p50_ms=quantiles[49],
        submit_p99_ms=quantiles[98],
        max_pays_in_flight=peaks[0],
        max_claimed=peaks[1],
        reconcile_ok=report.ok,
        cpu_ms=cpu_ms,
        batches=batches,
    )


async def _count_open(session: AsyncSession, ids: list[int]) -> int:
    # a range, not IN (...): the benchmark must not be its own bottleneck
    table = purchases_table
    query = select(func.count()).where(
        table.c.id.between(min(ids), max(ids)), table.c.status.in_(["initiated", "pending"])
    )
    return int(await session.scalar(query) or 0)


async def _count_status(session: AsyncSession, ids: list[int], status: PurchaseStatus) -> int:
    table = purchases_table
    query = select(func.count()).where(
        table.c.id.between(min(ids), max(ids)), table.c.status == status.value
    )
    return int(await session.scalar(query) or 0)


async def bench(
    args: argparse.Namespace, db_url: str, sim_root: str, sim_pid: int
) -> list[PhaseResult]:
    """Phase 1: submit and vend at once (0 ms). Phase 2: queue, then drain at 1.5 s."""
    engine = create_db_engine(db_url, pool_size=args.pool, max_overflow=0)
    redis = Redis.from_url(REDIS_URL)
    channel = f"paylink-bench:{uuid.uuid4().hex[:8]}:worker:wake"
    wakeup = RedisWakeUp(redis, channel)

    async def wake(_purchase: PurchaseRecord) -> None:
        await wakeup.notify()

    service = PurchaseService(
        create_sessionmaker(engine), SystemClock(), worker_id="bench-api", on_submitted=wake
    )
    results = []
    try:
        async with httpx.AsyncClient(base_url=sim_root) as control:
            await control.post("__sim/balance", json={"balance": 1_000_000_000})
            await control.post("__sim/latency", json={"seconds": 0})
            users = [
                (await service.credit_wallet(f"0803{i:07d}", 10_000_000, f"bench-{i}")).user_id
                for i in range(args.users)
            ]
            with workers(args.workers, db_url, sim_root, channel, args.pool) as (counters, pids):
                ids, _ = await submit_all(service, users, 300, args.submitters)  # warm-up
                await wait_settled(service, ids, counters)
                meter = CpuMeter(sim_pid, pids)
                batches_before = service.submit_batches.batches
                started = time.perf_counter()
                submitting = asyncio.ensure_future(
                    submit_all(service, users, args.purchases, args.submitters)
                )
                ids, latencies = await submitting
                peaks = await wait_settled(service, ids, counters)
                seconds = time.perf_counter() - started
                cpu = meter.per_purchase_ms(len(ids))
                batches = service.submit_batches.batches - batches_before
                results.append(
                    await finish_phase(
                        "0 ms",
                        service,
                        ids,
                        latencies,
                        seconds,
                        peaks,
                        cpu,
                        f"{len(ids)} submits in {batches} transactions",
                    )
                )
            await control.post("__sim/latency", json={"seconds": 1.5})
            # phase 2: a backlog (workers stopped), then workers drain it at VTPass's 1.5 s
            ids, latencies = await submit_all(service, users, args.slow_purchases, args.submitters)
            with workers(args.workers, db_url, sim_root, channel, args.pool) as (counters, pids):
                meter = CpuMeter(sim_pid, pids)
                started = time.perf_counter()
                await wakeup.notify()
                peaks = await wait_settled(service, ids, counters)
                seconds = time.perf_counter() - started
                cpu = meter.per_purchase_ms(len(ids))
            results.append(
                await finish_phase(
                    "1.5 s (backlog)",
                    service,
                    ids,
                    latencies,
                    seconds,
                    peaks,
                    cpu,
                    "vend and settle only (submitted before)",
                )
            )
    finally:
        await wakeup.close()
        await redis.aclose()
        await engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--purchases", type=int, default=3000)
    parser.add_argument("--slow-purchases", type=int, default=2000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--submitters", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--pool", type=int, default=20, help="DB connections per process")
    args = parser.parse_args()
    with bench_database() as db_url, simulator_process() as (sim_root, sim_pid):
        results = asyncio.run(bench(args, db_url, sim_root, sim_pid))
    print(f"machine: {machine()}; {time.strftime('%Y-%m-%d')}")
    print(
        "| VTPass latency | purchases | wall time | purchases/s | submit p50 | submit p99 "
        "| max /pay in flight | max claimed in flight | not delivered | reconcile |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.line())
    print()
    for result in results:
        print(result.cpu_line())


if __name__ == "__main__":
    main()
