"""Signed Paystack webhooks per second, through verify, to a posted wallet credit.

Run by hand (not in CI), with Postgres and Redis on loopback:

    .venv/bin/python bench/funding.py [--fundings 3000] [--concurrency 64] [--append]

What runs, each in its own process:
- the Paystack simulator (`paylink paystack-simulator`, 0 ms latency);
- the gateway: `paylink serve` on Postgres + Redis, one process, with the simulator as its
  Paystack (its webhook rate limit raised out of the way);
- this script: it initializes `--fundings` checkouts at the simulator, records each as an open
  funding in the database (as `POST /api/v1/wallet/fundings` would), pays them all on the
  simulator, then, with the clock running, posts every `charge.success` signed with the key,
  `--concurrency` at a time, and waits until every funding is credited.

Throughput is fundings credited per second from the first webhook sent to the last credit
posted: each one is a signature check, an event row, a `GET /transaction/verify` and the credit
transaction (funding row, journal, entries, wallet, receipt). Then `reconcile` must be clean
and every funding credited exactly once. The database is a fresh `gw_bench_<uuid>` (dropped
afterwards). `--append` adds the result to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from harness import bench_database, cpu_seconds, free_port, machine, service_cpu

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
KEY = "sk_test_paylinkbench0000000000000000000001"
N = 100


_PROFILED = """
import cProfile, runpy, sys, time
sys.argv[0] = "gateway"
profile = cProfile.Profile(time.process_time)
profile.enable()
try:
    runpy.run_module("gateway", run_name="__main__")
finally:
    profile.disable()
    profile.dump_stats({path!r})
"""


@contextmanager
def server(
    args: list[str], env: dict[str, str], ready: str, profile: str | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    # CPU time, not wall time: on a shared box a wall-clock profile mostly measures waiting
    wrap = ["-c", _PROFILED.format(path=profile)] if profile else ["-m", "gateway"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
        [sys.executable, *wrap, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{args} exited with {process.returncode}")
            try:
                if httpx.get(ready, timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{args} never became ready")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


async def seed(db_url: str, sim: str, count: int) -> list[bytes]:
    """Open fundings at both ends, paid at Paystack: the webhook bodies, ready to sign."""
    from gateway.paystack import store
    from gateway.phones import normalize_phone
    from gateway.store import users
    from gateway.store.db import create_db_engine, create_sessionmaker

    engine = create_db_engine(db_url)
    db = create_sessionmaker(engine)
    now = datetime.now(UTC)
    headers = {"Authorization": f"Bearer {KEY}"}
    bodies: list[bytes] = [b""] * count
    slots = asyncio.Semaphore(16)  # seeding is not measured: just not one at a time

    async def one(http: httpx.AsyncClient, index: int) -> None:
        async with slots:
            reference = f"PLF-BENCH{index:07d}"
            amount = (1_000 + index % 50) * N
            phone = normalize_phone(f"0803{index % 500:07d}")
            async with db.begin() as session:
                user, _ = await users.get_or_create(session, phone, now=now)
                await store.insert_funding(
                    session,
                    user_id=user.id,
                    account_id=user.account_id,
                    kind="card",
                    reference=reference,
                    amount=amount,
                    fee=0,
                    credit_amount=amount,
                    status="open",
                    next_verify_at=now.replace(year=now.year + 1),  # the sweep stays out
                    created_at=now,
                    updated_at=now,
                )
            body = {
                "email": f"{phone[1:]}@bench.paylink.ng",
                "amount": amount,
                "reference": reference,
            }
            (
                await http.post("/transaction/initialize", json=body, headers=headers)
            ).raise_for_status()
            paid = await http.post(f"/__sim/checkout/{reference}", json={"outcome": "success"})
            data = paid.json()["transaction"]
            bodies[index] = json.dumps({"event": "charge.success", "data": data}).encode()

    async with httpx.AsyncClient(base_url=sim, timeout=30) as http:
        # the users first, one at a time (500 of them), so no two seeds race to create one
        for index in range(min(count, 500)):
            async with db.begin() as session:
                await users.get_or_create(session, normalize_phone(f"0803{index:07d}"), now=now)
        await asyncio.gather(*(one(http, index) for index in range(count)))
    await engine.dispose()
    return bodies


async def credited(db_url: str) -> int:
    from sqlalchemy import func, select

    from gateway.store.db import create_db_engine, create_sessionmaker
    from gateway.store.tables import Funding

    engine = create_db_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as session:
            found = await session.scalar(
                select(func.count(Funding.id)).where(Funding.status == "credited")
            )
        return int(found or 0)
    finally:
        await engine.dispose()


async def fire(url: str, bodies: list[bytes], concurrency: int, waits: list[float]) -> list[int]:
    """Post every body, signed, `concurrency` at a time (aiohttp: httpx's client cost the
    sender more CPU per webhook than the gateway spent, bench/RESULTS.md session 8)."""
    import aiohttp

    from gateway.paystack.signature import HEADER, sign

    signed = [(raw, sign(KEY, raw)) for raw in reversed(bodies)]
    statuses: list[int] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def sender() -> None:
            while signed:
                raw, signature = signed.pop()
                headers = {"Content-Type": "application/json", HEADER: signature}
                sent = time.perf_counter()
                async with http.post(url, data=raw, headers=headers) as answer:
                    await answer.read()
                    statuses.append(answer.status)
                waits.append(time.perf_counter() - sent)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
    return statuses


async def reconcile(db_url: str) -> tuple[bool, str, int]:
    from sqlalchemy import func, select

    from gateway.purchases.reconcile import reconcile_database
    from gateway.store.db import create_db_engine, create_sessionmaker
    from gateway.store.tables import Journal

    engine = create_db_engine(db_url)
    try:
        db = create_sessionmaker(engine)
        report = await reconcile_database(db)
        async with db() as session:
            journals = await session.scalar(
                select(func.count(Journal.id)).where(Journal.kind == "funding")
            )
        return report.ok, report.render(), int(journals or 0)
    finally:
        await engine.dispose()


def _pct(waits: list[float], pct: int) -> float:
    ordered = sorted(waits)
    return ordered[min(len(ordered) - 1, len(ordered) * pct // 100)] * 1000


def _backends(db_url: str) -> dict[int, float]:
    """CPU seconds so far of each Postgres backend connected to the bench database."""
    from sqlalchemy import create_engine, pool, text

    engine = create_engine(db_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            pids = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            used = {}
            for pid in pids:
                try:
                    used[int(pid)] = cpu_seconds(int(pid))
                except OSError:
                    continue  # gone meanwhile
            return used
    finally:
        engine.dispose()


@dataclass(frozen=True)
class _Cpu:
    """CPU seconds so far: the gateway, the simulator, every Postgres backend on the box (other
    sessions' work included), and each backend connected to the bench database."""

    gateway: float
    simulator: float
    postgres: float
    backends: dict[int, float]


def _cpu(gateway_pid: int, sim_pid: int, db_url: str) -> _Cpu:
    return _Cpu(
        cpu_seconds(gateway_pid), cpu_seconds(sim_pid), service_cpu()["postgres"], _backends(db_url)
    )


def _cpu_ms(before: _Cpu, after: _Cpu, done: int) -> dict[str, float]:
    """CPU milliseconds per credited funding; "postgres (this db)" counts the bench database's
    backends alive at the end (the gateway's pool), so other sessions' Postgres work is out."""
    spent = {
        "gateway": after.gateway - before.gateway,
        "simulator": after.simulator - before.simulator,
        "postgres": after.postgres - before.postgres,
        "postgres (this db)": sum(
            used - before.backends.get(pid, 0.0) for pid, used in after.backends.items()
        ),
    }
    return {name: seconds * 1000 / max(done, 1) for name, seconds in spent.items()}


def orchestrate(args: argparse.Namespace) -> str:
    load = os.getloadavg()
    sim_port, gw_port = free_port(), free_port()
    sim = f"http://127.0.0.1:{sim_port}"
    with bench_database() as db_url:
        prefix = f"paylink-bench:{uuid.uuid4().hex[:12]}:"
        env = {
            **os.environ,
            "PAYSTACK_SECRET_KEY": KEY,
            "PAYSTACK_BASE_URL": sim,
            "PAYLINK_DATABASE_URL": db_url,
            "PAYLINK_REDIS_URL": REDIS_URL,
            "PAYLINK_REDIS_PREFIX": prefix,
            "PAYLINK_JWT_SECRET": secrets.token_urlsafe(48),
            "PAYLINK_AT_CALLBACK_OPEN": "true",
            "PAYLINK_PAYSTACK_WEBHOOK_LIMIT": "100000000",
            "PAYLINK_LOG_LEVEL": "WARNING",
        }
        sim_ready = f"{sim}/__sim/webhooks"
        with server(["paystack-simulator", "--port", str(sim_port)], env, sim_ready) as simulator:
            sim_pid = simulator.pid
            bodies = asyncio.run(seed(db_url, sim, args.fundings))
            ready = f"http://127.0.0.1:{gw_port}/healthz"
            with server(["serve", "--port", str(gw_port)], env, ready, args.profile) as gateway:
                url = f"http://127.0.0.1:{gw_port}/webhooks/paystack"
                cpu_before = _cpu(gateway.pid, sim_pid, db_url)
                started = time.perf_counter()
                sender_cpu = time.process_time()
                waits: list[float] = []
                statuses = asyncio.run(fire(url, bodies, args.concurrency, waits))
                acked = time.perf_counter() - started
                sender_cpu = time.process_time() - sender_cpu
                done = 0
                while (done := asyncio.run(credited(db_url))) < args.fundings:
                    if time.perf_counter() - started > args.deadline:
                        break  # reported: events left unprocessed wait for the sweep
                    time.sleep(0.05)
                elapsed = time.perf_counter() - started
                cpu_after = _cpu(gateway.pid, sim_pid, db_url)
            ok, rendered, journals = asyncio.run(reconcile(db_url))
    rate = done / elapsed
    cpu_ms = _cpu_ms(cpu_before, cpu_after, done)
    cpu_ms["sender (this script)"] = sender_cpu * 1000 / max(len(statuses), 1)
    cpu = ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu_ms.items())
    lines = [
        f"## Funding webhooks (issue 19): {datetime.now(UTC):%Y-%m-%d}",
        "",
        f"`bench/funding.py --fundings {args.fundings} --concurrency {args.concurrency}`, "
        f"{machine()}; one `paylink serve` on Postgres + Redis, the Paystack simulator in its own "
        "process at 0 ms.",
        "",
        f"- **{rate:.0f} credited fundings/s** (goal 300/s): {args.fundings} signed "
        f"`charge.success` webhooks, {done} verified and credited in {elapsed:.2f} s "
        f"(all acknowledged after {acked:.2f} s; HTTP statuses "
        f"{dict(sorted((s, statuses.count(s)) for s in set(statuses)))}; each acknowledged in "
        f"p50 {_pct(waits, 50):.0f} / p99 {_pct(waits, 99):.0f} ms).",
        f"- reconcile: {'clean' if ok else 'NOT CLEAN'}; {journals} funding journals for "
        f"{args.fundings} fundings ({rendered.splitlines()[0]}).",
        f"- CPU per webhook: {cpu}; load average before the run {load[0]:.1f}, "
        f"after {os.getloadavg()[0]:.1f} (2 cores shared with other sessions).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fundings", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--deadline", type=float, default=600, help="give up waiting for credits after (s)"
    )
    parser.add_argument("--profile", help="run the gateway under cProfile, stats to this file")
    parser.add_argument("--append", action="store_true", help="add the result to RESULTS.md")
    args = parser.parse_args()
    text = orchestrate(args)
    print(text)
    if args.append:
        with (ROOT / "bench" / "RESULTS.md").open("a") as results:
            results.write("\n" + text)


if __name__ == "__main__":
    main()
