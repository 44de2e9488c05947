"""A gateway SIGKILLed while a burst of Paystack webhooks is being credited.

Real processes: the Paystack simulator and one `paylink serve` on this test's own database.
The checkouts are paid at the simulator; their signed `charge.success` events are posted by
this test, many at once, and the gateway is killed with SIGKILL once some credits are posted
and others are still in flight (acknowledged, verifying, or inside their credit transaction).
Then, as in production: Paystack redelivers the events, the gateway comes back, the sweep
verifies what stayed open. Every paid checkout must end credited exactly once, with one
receipt, and `reconcile` clean; right after the kill, nothing may be half-written.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from gateway.clock import FixedClock
from gateway.funding_settings import FundingSettings
from gateway.paystack import store
from gateway.paystack.accounts import DedicatedAccounts
from gateway.paystack.client import PaystackClient
from gateway.paystack.crediting import Crediting
from gateway.paystack.signature import HEADER, sign
from gateway.paystack.sweep import FundingSweep
from gateway.phones import normalize_phone
from gateway.purchases.reconcile import reconcile_database
from gateway.settings import Secret
from gateway.store import users
from gateway.store.db import create_db_engine, create_sessionmaker
from gateway.store.tables import Account, Funding, Journal, Outbox
from tests.api.conftest import redis_prefix  # noqa: F401 - a fixture
from tests.fixtures.database import temporary_pg_database
from tests.resilience.processes import Child, child_env, free_port, stop_all, wait_until

KEY = "sk_test_paylinkresilience000000000000001"
FUNDINGS = 300
N = 100


async def _up(url: str) -> bool:
    async with httpx.AsyncClient(timeout=2) as http:
        try:
            return (await http.get(url)).status_code < 500
        except httpx.TransportError:
            return False


async def _seed(db, sim: str, now: datetime) -> list[bytes]:
    """Open checkouts, paid at the simulator (which keeps its webhooks): the events to post."""
    bodies: list[bytes] = [b""] * FUNDINGS
    slots = asyncio.Semaphore(16)
    async with db.begin() as session:
        owners = [
            (await users.get_or_create(session, normalize_phone(f"0803{i:07d}"), now=now))[0]
            for i in range(30)
        ]

    async def one(http: httpx.AsyncClient, index: int) -> None:
        async with slots:
            reference, user = f"PLF-KILL{index:07d}", owners[index % len(owners)]
            amount = (1_000 + index) * N
            async with db.begin() as session:
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
                    next_verify_at=now + timedelta(seconds=30),  # the sweep comes after the kill
                    created_at=now,
                    updated_at=now,
                )
            body = {"email": f"k{index}@paylink.test", "amount": amount, "reference": reference}
            headers = {"Authorization": f"Bearer {KEY}"}
            (
                await http.post("/transaction/initialize", json=body, headers=headers)
            ).raise_for_status()
            paid = await http.post(f"/__sim/checkout/{reference}", json={"outcome": "success"})
            event = {"event": "charge.success", "data": paid.json()["transaction"]}
            bodies[index] = json.dumps(event).encode()

    async with httpx.AsyncClient(base_url=sim, timeout=30) as http:
        (await http.post("/__sim/webhooks", json={"mode": "drop"})).raise_for_status()
        await asyncio.gather(*(one(http, index) for index in range(FUNDINGS)))
    return bodies


async def _post_all(url: str, bodies: list[bytes]) -> None:
    """Every event, 32 at a time; a gateway that died mid-way just fails the rest."""
    queue = list(bodies)
    async with httpx.AsyncClient(timeout=30) as http:

        async def sender() -> None:
            while queue:
                raw = queue.pop()
                headers = {"Content-Type": "application/json", HEADER: sign(KEY, raw)}
                with contextlib.suppress(httpx.TransportError):
                    await http.post(url, content=raw, headers=headers)

        await asyncio.gather(*(sender() for _ in range(32)))


async def _count(db, query) -> int:
    async with db() as session:
        return int(await session.scalar(query) or 0)


async def _credited(db) -> int:
    return await _count(db, select(func.count(Funding.id)).where(Funding.status == "credited"))


async def _journals(db) -> int:
    return await _count(db, select(func.count(Journal.id)).where(Journal.kind == "funding"))


async def _receipts(db) -> int:
    return await _count(db, select(func.count(Outbox.id)).where(Outbox.body.like("%funded%")))


@pytest.fixture
async def database() -> AsyncIterator[str]:
    with temporary_pg_database() as url:
        yield url


@pytest.mark.timeout(240)
async def test_a_gateway_killed_mid_credit_credits_every_paid_checkout_once(
    tmp_path: Path,
    database: str,
    redis_prefix: str,  # noqa: F811
):
    engine = create_db_engine(database)
    db = create_sessionmaker(engine)
    sim_port, gw_port = free_port(), free_port()
    sim, gateway_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{gw_port}"
    env = child_env(
        {
            "PAYSTACK_SECRET_KEY": KEY,
            "PAYSTACK_BASE_URL": sim,
            "PAYLINK_DATABASE_URL": database,
            "PAYLINK_REDIS_URL": "redis://127.0.0.1:6379/0",
            "PAYLINK_REDIS_PREFIX": redis_prefix,
            "PAYLINK_JWT_SECRET": secrets.token_urlsafe(48),
            "PAYLINK_AT_CALLBACK_OPEN": "true",
            "PAYLINK_PAYSTACK_WEBHOOK_LIMIT": "1000000",
            "PAYLINK_LOG_LEVEL": "INFO",
        }
    )
    simulator = Child(
        "paystack-simulator", ("paystack-simulator", "--port", str(sim_port)), env, tmp_path
    )
    gateway = Child("gateway", ("serve", "--port", str(gw_port)), env, tmp_path)
    try:
        simulator.start()
        await wait_until(lambda: _up(f"{sim}/__sim/webhooks"), 45, "the simulator", tmp_path)
        async with db() as session:
            now = FixedClock(await session.scalar(select(func.now()))).now()
        bodies = await _seed(db, sim, now)
        gateway.start()
        await wait_until(lambda: _up(f"{gateway_url}/healthz"), 45, "the gateway", tmp_path)

        burst = asyncio.create_task(_post_all(f"{gateway_url}/webhooks/paystack", bodies))

        async def some_credited() -> bool:
            return await _credited(db) >= 20

        await wait_until(some_credited, 60, "the first credits", tmp_path, every=0.02)
        gateway.kill()
        await burst

        # killed mid-burst, and no credit half-written: a credited funding has its journal
        credited_at_kill = await _credited(db)
        assert 20 <= credited_at_kill < FUNDINGS
        assert await _journals(db) == credited_at_kill
        assert await _receipts(db) == credited_at_kill

        # Paystack redelivers every event; the gateway is back; the sweep verifies the rest
        gateway.start()
        await wait_until(lambda: _up(f"{gateway_url}/healthz"), 45, "the gateway again", tmp_path)
        await _post_all(f"{gateway_url}/webhooks/paystack", bodies)
        settings = FundingSettings(secret_key=Secret(KEY), base_url=sim)
        later = FixedClock(now + timedelta(minutes=5))
        client = PaystackClient(sim, KEY)
        try:
            crediting = Crediting(db, client, later, settings)
            accounts = DedicatedAccounts(db, client, later, settings)
            sweep = FundingSweep(db, client, later, settings, crediting, accounts)
            for _ in range(FUNDINGS // 100 + 2):
                await sweep.run_once()
        finally:
            await client.aclose()

        assert await _credited(db) == FUNDINGS
        assert await _journals(db) == FUNDINGS
        assert await _receipts(db) == FUNDINGS
        async with db() as session:
            held = await session.scalar(
                select(func.sum(Account.balance)).where(Account.kind == "wallet")
            )
        assert held == sum((1_000 + index) * N for index in range(FUNDINGS))
        report = await reconcile_database(db)
        assert report.ok, report.render()
    finally:
        stop_all([gateway, simulator])
        await engine.dispose()
