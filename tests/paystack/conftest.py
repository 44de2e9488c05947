"""The gateway on Postgres + Redis, and the Paystack simulator, both over real HTTP on loopback.

`funding` is the test's view of both: sign a user up through the API, start a checkout, pay it
on the simulator (whose signed webhooks reach the gateway's `/webhooks/paystack`), wait for
the background work, read balances, run the sweep, reconcile. The gateway and the simulator
share one `FixedClock`; nothing sleeps on the wall clock (webhook retries are scaled to 0).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.app import create_app
from gateway.clock import FixedClock
from gateway.keys import db_key
from gateway.paystack.keys import paystack_sweep_key, paystack_webhooks_key
from gateway.paystack.signature import HEADER, sign
from gateway.paystack.simulator import (
    PaystackSimConfig,
    RunningPaystackSimulator,
    start_paystack_simulator,
)
from gateway.paystack.sweep import SweepResult
from gateway.purchases.reconcile import ReconcileReport, reconcile_database
from gateway.store.tables import Funding, Journal, Outbox
from tests.api.conftest import clean_pg, clock, pg_settings, redis_prefix  # noqa: F401 - fixtures
from tests.api.helpers import bearer, signup

KEY = "sk_test_paylinktests000000000000000000001"
OTHER_KEY = "sk_test_notourkey0000000000000000000000002"
N = 100


@pytest.fixture
def funding_env() -> dict[str, str]:
    """Extra environment for one test's gateway: `@pytest.mark.parametrize("funding_env", ...)`."""
    return {}


@pytest.fixture
async def paystack(clock: FixedClock) -> AsyncIterator[RunningPaystackSimulator]:  # noqa: F811
    config = PaystackSimConfig(secret_keys=(KEY,), clock=clock, time_scale=0.0)
    async with start_paystack_simulator(config) as running:
        yield running


@dataclass
class FundingHarness:
    client: Any  # aiohttp TestClient of the gateway
    sim: RunningPaystackSimulator
    control: httpx.AsyncClient  # the simulator's /__sim/ API
    clock: FixedClock

    @property
    def db(self) -> async_sessionmaker[AsyncSession]:
        return self.client.app[db_key]

    @property
    def webhook_url(self) -> str:
        return str(self.client.make_url("/webhooks/paystack"))

    async def sim_post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self.control.post(f"/__sim/{path}", json=body or {})
        assert response.status_code == 200, response.text
        return response.json()

    async def user(self, phone: str = "08031234567") -> dict[str, str]:
        """A signed-up user's auth headers."""
        return bearer(await signup(self.client, phone))

    async def start(self, auth: dict[str, str], naira: int, key: str = "fund-key-0001") -> Any:
        headers = {**auth, "Idempotency-Key": key}
        response = await self.client.post(
            "/api/v1/wallet/fundings", json={"amount": naira * N}, headers=headers
        )
        assert response.status in (200, 201), await response.text()
        return await response.json()

    async def pay(self, reference: str, outcome: str = "success", **extra: Any) -> Any:
        return await self.sim_post(f"checkout/{reference}", {"outcome": outcome, **extra})

    async def settle(self) -> None:
        """Every webhook delivered and every event it started processed."""
        await self.sim.state.webhooks.drain()
        await self.client.app[paystack_webhooks_key].drain()

    async def sweep(self) -> SweepResult:
        return await self.client.app[paystack_sweep_key].run_once()

    async def balance(self, auth: dict[str, str]) -> int:
        response = await self.client.get("/api/v1/wallet", headers=auth)
        return int((await response.json())["balance"]["kobo"])

    async def funding(self, auth: dict[str, str], reference: str) -> Any:
        response = await self.client.get(f"/api/v1/wallet/fundings/{reference}", headers=auth)
        assert response.status == 200, await response.text()
        return await response.json()

    async def status_of(self, reference: str) -> str | None:
        async with self.db() as session:
            return await session.scalar(
                select(Funding.status).where(Funding.reference == reference)
            )

    async def credits(self) -> int:
        async with self.db() as session:
            found = await session.scalar(
                select(func.count(Journal.id)).where(Journal.kind == "funding")
            )
        return int(found or 0)

    async def receipts(self) -> list[str]:
        async with self.db() as session:
            rows = await session.scalars(
                select(Outbox.body).where(Outbox.body.like("%wallet funded%")).order_by(Outbox.id)
            )
        return list(rows)

    async def post_event(self, event: dict[str, Any], key: str = KEY) -> httpx.Response:
        """A webhook as Paystack would send it, signed with `key`."""
        raw = json.dumps(event).encode()
        async with httpx.AsyncClient() as http:
            return await http.post(
                self.webhook_url,
                content=raw,
                headers={"Content-Type": "application/json", HEADER: sign(key, raw)},
            )

    async def reconciled(self) -> ReconcileReport:
        report = await reconcile_database(self.db)
        assert report.ok, report.render()
        return report


@pytest.fixture
async def funding(
    aiohttp_client,
    clean_pg,  # noqa: F811
    redis_prefix,  # noqa: F811
    clock,  # noqa: F811
    paystack,
    funding_env,
) -> AsyncIterator[FundingHarness]:
    env = {
        "PAYSTACK_SECRET_KEY": KEY,
        "PAYSTACK_BASE_URL": paystack.base_url,
        "PAYLINK_FUNDING_CALLBACK_URL": "https://app.paylink.ng/fund/return",
        **funding_env,
    }
    client = await aiohttp_client(
        create_app(pg_settings(clean_pg, redis_prefix, **env), clock=clock)
    )
    control = httpx.AsyncClient(base_url=paystack.base_url, timeout=5)
    made = FundingHarness(client, paystack, control, clock)
    await made.sim_post("webhooks", {"url": made.webhook_url})
    try:
        yield made
    finally:
        await made.settle()
        await control.aclose()
