"""SMS out: messages per second from one worker through the SDK, and an AT outage drained in full.

Run by hand (not in CI), with Postgres on loopback:

    .venv/bin/python bench/sms.py [--messages 6000] [--latency 0.05] [--outage 10m] [--append]

What runs, each in its own process:
- the fake AT SMS API (`tests/fixtures/fake_at.py`), answering every send after `--latency`
  (50 ms by default), like AT's API seen from Lagos;
- this process: one gateway `Worker` (its purchase loop idle) whose "sms" lane sends through
  `AtSmsSender` (the official SDK in its thread pool, `--threads` wide) against a fresh
  `gw_bench_<uuid>` database on PAYLINK_TEST_DATABASE_URL, dropped afterwards.

Phases:
- throughput: `--messages` receipts are queued at once (one INSERT), the worker is started,
  and the clock runs until the last is recorded `sent`; messages/s = messages / that time
  (goal: at least 300/s);
- outage: the fake answers 503 to everything for `--outage` (default 10 minutes; `60s` for a
  quick run) while receipts keep being queued at `--outage-rate` per second; then it answers
  again, and the clock runs until every one is sent. Checked: none lost (`failed` or still
  queued), none sent twice (the fake counts each (number, text) it accepted), and how long the
  backlog took to drain after AT came back (bounded by the retry policy's 5-minute cap).

The worker runs on the real clock (`SystemClock`): the outage is real time. `--append` adds
the section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from harness import bench_database, cpu_seconds, free_port, machine, service_cpu

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker  # noqa: E402

from gateway.clock import SystemClock  # noqa: E402
from gateway.purchases.service import PurchaseService  # noqa: E402
from gateway.sms.sender import AtSmsSender  # noqa: E402
from gateway.store import outbox  # noqa: E402
from gateway.store.db import create_db_engine, create_sessionmaker  # noqa: E402
from gateway.store.tables import outbox_table  # noqa: E402
from gateway.worker.notifier import Notifiers  # noqa: E402
from gateway.worker.runner import Worker, WorkerConfig  # noqa: E402
from gateway.worker.wakeup import LocalWakeUp  # noqa: E402
from tests.fixtures.fake_at import API_KEY, SENDER_ID, USERNAME  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
# a receipt-sized GSM-7 text (one segment), unique per message so the fake can spot duplicates
BODY = (
    "PayLink: Ikeja Electric for meter 1111111111111 successful. Paid N1,100. "
    "Token: 0961-7808-5566-7400-7719. Ref PL-{n:08d}"
)


def duration(raw: str) -> float:
    """`600`, `90s`, `10m`: seconds."""
    raw = raw.strip().lower()
    factor = {"s": 1, "m": 60, "h": 3600}.get(raw[-1:])
    value = float(raw[:-1] if factor else raw) * (factor or 1)
    if value < 0:
        raise argparse.ArgumentTypeError("a duration cannot be negative")
    return value


@contextmanager
def fake_at_process(latency_s: float) -> Iterator[tuple[str, int]]:
    """The fake AT API in its own process; yields its base URL and pid."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own test fixture
        [
            sys.executable,
            "-m",
            "tests.fixtures.fake_at",
            "--port",
            str(port),
            "--latency",
            str(latency_s),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(base + "/__fake/stats", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the fake AT did not start") from None
                time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Counts:
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def open(self) -> int:
        return self.queued + self.sending


async def counts(db: async_sessionmaker[AsyncSession]) -> Counts:
    async with db() as session:
        rows = await session.execute(
            select(outbox_table.c.status, func.count()).group_by(outbox_table.c.status)
        )
        return Counts(**{status: int(n) for status, n in rows.all()})


async def queue(db: async_sessionmaker[AsyncSession], first: int, n: int) -> None:
    messages = [
        outbox.NewMessage(
            phone=f"+23480{(first + i) % 100_000_000:08d}", body=BODY.format(n=first + i)
        )
        for i in range(n)
    ]
    async with db.begin() as session:
        await outbox.enqueue_many(session, messages, at=SystemClock().now())


async def wait_drained(db: async_sessionmaker[AsyncSession], total: int, limit_s: float) -> float:
    """Seconds until every queued message is sent or failed (polled every 50 ms)."""
    started = time.perf_counter()
    while True:
        now = await counts(db)
        if now.sent + now.failed >= total:
            return time.perf_counter() - started
        if time.perf_counter() - started > limit_s:
            raise RuntimeError(f"not drained after {limit_s:.0f} s: {now}")
        await asyncio.sleep(0.05)


def start_worker(db: async_sessionmaker[AsyncSession], sender: AtSmsSender) -> Worker:
    config = WorkerConfig(catalogue_refresh_s=None, recheck_interval_s=None)
    worker = Worker(
        PurchaseService(db, SystemClock(), worker_id="bench-sms"),
        None,  # type: ignore[arg-type] - no purchases in this benchmark
        wakeup=LocalWakeUp(),
        clock=SystemClock(),
        notifiers=Notifiers({"sms": sender}),
        config=config,
    )
    worker.start()
    return worker


@dataclass
class Report:
    messages: int = 0
    seconds: float = 0.0
    worker_cpu: float = 0.0
    fake_cpu: float = 0.0
    postgres_cpu: float = 0.0
    outage_s: float = 0.0
    outage_messages: int = 0
    outage_requests: int = 0
    drain_s: float = 0.0
    lost: int = 0
    duplicates: int = 0
    accepted: int = 0
    max_attempts: int = 0

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


async def run(args: argparse.Namespace, db_url: str, fake: str, fake_pid: int) -> Report:
    engine = create_db_engine(db_url, pool_size=5, max_overflow=0)
    db = create_sessionmaker(engine)
    sender = AtSmsSender(
        USERNAME, API_KEY, base_url=fake, sender_id=SENDER_ID, threads=args.threads
    )
    report = Report()
    control = httpx.AsyncClient(base_url=fake, timeout=10)
    try:
        # throughput: a backlog of receipts, one worker, AT answering in `--latency`
        await queue(db, 0, args.messages)
        cpu0, fake0, pg0 = cpu_seconds(os.getpid()), cpu_seconds(fake_pid), service_cpu()
        worker = start_worker(db, sender)
        report.seconds = await wait_drained(db, args.messages, limit_s=600)
        report.messages = args.messages
        report.worker_cpu = cpu_seconds(os.getpid()) - cpu0
        report.fake_cpu = cpu_seconds(fake_pid) - fake0
        report.postgres_cpu = service_cpu()["postgres"] - pg0["postgres"]
        print(f"throughput: {args.messages} in {report.seconds:.1f} s = {report.rate:.0f}/s")

        # outage: AT answers 503 while receipts keep coming; then it is back
        total = args.messages
        await control.post("/__fake/outage", json={"on": True})
        before = (await control.get("/__fake/stats")).json()["requests"]
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < args.outage:
            due = int(elapsed * args.outage_rate) + 1 - report.outage_messages
            if due > 0:
                await queue(db, total + report.outage_messages, due)
                report.outage_messages += due
            await asyncio.sleep(0.25)
        report.outage_s = time.perf_counter() - started
        report.outage_requests = (await control.get("/__fake/stats")).json()["requests"] - before
        await control.post("/__fake/outage", json={"on": False})
        print(
            f"outage: {report.outage_s:.0f} s, {report.outage_messages} queued meanwhile, "
            f"{report.outage_requests} requests to the down AT"
        )
        total += report.outage_messages
        report.drain_s = await wait_drained(db, total, limit_s=args.outage + 900)
        await worker.stop()

        final = await counts(db)
        stats = (await control.get("/__fake/stats")).json()
        report.lost = final.failed + final.open
        report.duplicates = stats["duplicates"]
        report.accepted = stats["distinct"]
        async with db() as session:
            report.max_attempts = int(
                await session.scalar(select(func.max(outbox_table.c.attempts))) or 0
            )
        assert report.accepted == total, (report.accepted, total)
    finally:
        sender.close()
        await control.aclose()
        await engine.dispose()
    return report


def section(args: argparse.Namespace, r: Report) -> str:
    ms = 1000 / r.messages  # CPU seconds per message, in milliseconds
    latency = f"{args.latency * 1000:.0f} ms"
    command = (
        f"bench/sms.py --messages {args.messages} --latency {args.latency} "
        f"--threads {args.threads} --outage {args.outage:g}s --outage-rate {args.outage_rate:g}"
    )
    rate_met = "met" if r.rate >= 300 else "NOT met"
    drained = "met" if r.lost == 0 and r.duplicates == 0 else "NOT met"
    cpu = f"{r.worker_cpu * ms:.2f} ms | {r.fake_cpu * ms:.2f} ms | {r.postgres_cpu * ms:.2f} ms"
    lines = [
        "",
        "## SMS out (issue 15): one worker through the AT SDK to a fake AT",
        "",
        f"`{command}`, {time.strftime('%Y-%m-%d')}; {machine()}. Separate processes: the fake"
        f" AT SMS API (aiohttp, answering every send after {latency}) and this one: one"
        ' `Worker` (purchase loop idle) whose "sms" lane claims under a lease, sends through'
        " `AtSmsSender` (the official `africastalking` 2.0.3 SDK, synchronous `requests`, in"
        f" its own {args.threads}-thread pool) and records each answer, on a fresh Postgres"
        " database.",
        "",
        "| what | messages | seconds | messages/s | worker CPU / msg | fake AT CPU / msg"
        " | Postgres CPU / msg |",
        "|---|---|---|---|---|---|---|",
        f"| backlog drained, AT at {latency} | {r.messages:,} | {r.seconds:.1f}"
        f" | {r.rate:,.0f} | {cpu} |",
        "",
        "| outage | queued during it | requests to the down AT | drained after AT came back"
        " | sent | lost | sent twice | most attempts |",
        "|---|---|---|---|---|---|---|---|",
        f"| {r.outage_s:.0f} s of HTTP 503 | {r.outage_messages:,} | {r.outage_requests:,}"
        f" | {r.drain_s:.1f} s | {r.accepted:,} | {r.lost} | {r.duplicates} | {r.max_attempts} |",
        "",
        f"Goal: at least 300 messages/s ({rate_met}); an outage drained in full with nothing"
        f" lost or sent twice ({drained}). The drain after an outage is the retry backoff (15 s"
        " doubling to a 5-minute cap) plus the sending: a message queued early in a 10-minute"
        " outage waits at most 5 minutes after AT is back.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=6000)
    parser.add_argument("--latency", type=float, default=0.05, help="fake AT seconds per answer")
    parser.add_argument("--threads", type=int, default=64, help="the sender's thread pool")
    parser.add_argument("--outage", type=duration, default=600.0, help="e.g. 10m, 60s")
    parser.add_argument(
        "--outage-rate", type=float, default=5.0, help="receipts/s queued meanwhile"
    )
    parser.add_argument("--append", action="store_true", help="add the results to RESULTS.md")
    args = parser.parse_args()
    with bench_database() as db_url, fake_at_process(args.latency) as (fake, fake_pid):
        report = asyncio.run(run(args, db_url, fake, fake_pid))
    text = section(args, report)
    print(text)
    if args.append:
        with RESULTS.open("a") as results:
            results.write(text)


if __name__ == "__main__":
    main()
