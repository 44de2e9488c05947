"""A `paylink worker` killed with SIGKILL while its `/pay` calls are in flight, as real processes.

The attack: purchases whose answer died with their worker sit debited and silent for minutes,
or, worse, are sent a second `/pay`. Here `paylink simulator` and two `paylink worker`
processes share one Postgres database; the first worker is killed while VTPass is still
working on its payments (which it finishes: VTPass does not drop a payment whose caller went
away). Its leases are no longer renewed by its heartbeat, so the second worker takes the
purchases over within one lease and settles every one by requery within 60 s of the kill:
exactly one `/pay` per request_id at VTPass, one settlement posting each, reconcile clean.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gateway.clock import SystemClock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.purchases.reconcile import reconcile_database
from gateway.purchases.service import PurchaseService
from gateway.store.tables import audit_table, journals_table, purchases_table
from gateway.vtpass.simulator import DEMO_ACCOUNT
from tests.worker.harness import SUCCESS_METER, N, electricity

START_NAIRA = 100_000
LATENCY_S = 4.0  # how long VTPass takes over each /pay: the worker dies in the meantime
SETTLED_WITHIN_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PAYLINK_", "VTPASS_"))}


@contextmanager
def paylink(log: Path, *args: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """`paylink ARGS` as a child process, logging to `log`; stopped (TERM, then KILL) after."""
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "gateway", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


async def wait_until(check: Any, timeout: float, what: str, logs: Path) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            shown = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs.glob("*.log"))
            raise AssertionError(f"timed out waiting for {what}\n{shown}")
        await asyncio.sleep(0.2)


@pytest.fixture
async def simulator_url(tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    with paylink(tmp_path / "simulator.log", "simulator", "--port", str(port), env=base_env()):
        root = f"http://127.0.0.1:{port}/"

        async def answering() -> bool:
            try:
                async with httpx.AsyncClient(timeout=1) as http:
                    return (await http.get(f"{root}__sim/clock")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_until(answering, 30, "paylink simulator to answer", tmp_path)
        yield root


def worker_env(pg_url: str, simulator_url: str) -> dict[str, str]:
    return {
        **base_env(),
        "PAYLINK_DATABASE_URL": pg_url,
        "PAYLINK_VTPASS_BASE_URL": f"{simulator_url}api/",
        "VTPASS_API_KEY": DEMO_ACCOUNT.api_key,
        "VTPASS_PUBLIC_KEY": DEMO_ACCOUNT.public_key,
        "VTPASS_SECRET_KEY": DEMO_ACCOUNT.secret_key,
        "PAYLINK_JWT_SECRET": secrets.token_urlsafe(48),
        "PAYLINK_AT_CALLBACK_OPEN": "true",
        "PAYLINK_LOG_LEVEL": "INFO",
    }


@pytest.mark.timeout(180)
async def test_a_worker_killed_mid_pay_is_finished_by_another_within_a_minute_exactly_once(
    pg_url, pg_sessionmaker, simulator_url, tmp_path
):
    db = pg_sessionmaker
    control = httpx.AsyncClient(base_url=simulator_url, timeout=5)
    env = worker_env(pg_url, simulator_url)
    # the gateway's own service, as a channel would use it; no wake-up: the sweep finds them
    shop = PurchaseService(db, SystemClock(), worker_id="shop")
    user_id = (await shop.credit_wallet("08031234567", START_NAIRA * N, "seed")).user_id
    meters = [SUCCESS_METER] * 3 + [f"99{secrets.randbelow(10**11):011d}" for _ in range(3)]

    async def statuses() -> dict[int, Any]:
        async with db() as session:
            rows = await session.execute(
                select(
                    purchases_table.c.id,
                    purchases_table.c.status,
                    purchases_table.c.vend_claimed_by,
                    purchases_table.c.request_id,
                )
            )
            return {row.id: row for row in rows}

    try:
        assert (await control.post("__sim/latency", json={"seconds": LATENCY_S})).is_success
        with paylink(tmp_path / "worker1.log", "worker", env=env) as first:
            purchases = [
                (await shop.submit(user_id, electricity(meter), idempotency_key=f"k{i}")).purchase
                for i, meter in enumerate(meters)
            ]

            async def all_claimed_by_first() -> bool:
                rows = (await statuses()).values()
                return all(f":{first.pid}:" in (row.vend_claimed_by or "") for row in rows)

            await wait_until(all_claimed_by_first, 30, "the first worker's claims", tmp_path)
            await asyncio.sleep(1.0)  # their /pay calls leave at once; VTPass takes 4 s
            first.send_signal(signal.SIGKILL)
            first.wait()
            killed_at = time.monotonic()

        assert all(row.status == "pending" for row in (await statuses()).values())
        assert (await control.post("__sim/latency", json={"seconds": 0})).is_success
        with paylink(tmp_path / "worker2.log", "worker", env=env):

            async def all_settled() -> bool:
                rows = (await statuses()).values()
                return not any(PurchaseStatus(row.status).is_open for row in rows)

            await wait_until(
                all_settled, SETTLED_WITHIN_S + 10, "every purchase to settle", tmp_path
            )
            assert time.monotonic() - killed_at < SETTLED_WITHIN_S

        final = await statuses()
        stored = (await control.get("__sim/transactions")).json()["transactions"]
        pays = (await control.get("__sim/pay-requests")).json()["pay_requests"]
    finally:
        await control.aclose()

    for purchase, meter in zip(purchases, meters, strict=True):
        assert final[purchase.id].status == ("delivered" if meter == SUCCESS_METER else "failed")
    # VTPass's own record: one transaction and one /pay (the first worker's) per purchase
    request_ids = sorted(row.request_id for row in final.values())
    assert sorted(row["request_id"] for row in stored) == request_ids
    assert pays == dict.fromkeys(request_ids, 1)

    async with db() as session:
        settlements = (
            await session.execute(
                select(journals_table.c.purchase_id, journals_table.c.reference).where(
                    journals_table.c.reference.like("purchase:%:settle")
                )
            )
        ).all()
        pays_answered = await session.scalar(
            select(audit_table.c.id).where(audit_table.c.op == "pay").limit(1)
        )
    assert sorted(pid for pid, _ in settlements) == sorted(p.id for p in purchases)
    assert pays_answered is None  # no /pay answer was ever read: all settled by requery
    report = await reconcile_database(db)
    assert report.ok, report.render()
    delivered = sum(p.total for p, m in zip(purchases, meters, strict=True) if m == SUCCESS_METER)
    assert await shop.wallet_balance("08031234567") == START_NAIRA * N - delivered
