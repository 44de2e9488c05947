"""The whole gateway against the real simulator over HTTP, for worker, webhook, CLI and e2e tests.

`Harness` is `create_app` served on loopback (so the simulator can call its webhook), with a
VTPass transport that counts every `/pay` as it leaves: the simulator stores one transaction per
request_id and answers a second `/pay` with 014, so only the wire can prove there was none.
The gateway and the simulator share one `FixedClock`; tests move it to make backoffs due.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.app import create_app
from gateway.clock import FixedClock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.keys import db_key
from gateway.purchases.keys import purchase_service_key
from gateway.purchases.models import PurchaseOrder
from gateway.purchases.reconcile import ReconcileReport, reconcile_database
from gateway.purchases.service import PurchaseService
from gateway.settings import DatabaseUrl, Secret, Settings
from gateway.store import ledger, outbox
from gateway.store.outbox import OutboxMessage
from gateway.store.purchases import PurchaseRecord
from gateway.vtpass.keys import vtpass_key
from gateway.vtpass.simulator import RunningSimulator
from gateway.webhooks.keys import vtpass_webhooks_key
from gateway.worker.keys import (
    notifiers_key,
    worker_config_key,
    worker_key,
    worker_wakeup_key,
)
from gateway.worker.runner import Worker, WorkerConfig
from tests.fixtures.simulator import SIM_ACCOUNT

TOKEN = "hook-0123456789abcdef0123456789"
BUYER = "08031234567"
N = 100
SUCCESS_METER = "1111111111111"
# No recheck loop: a test makes a post-delivery check due by moving the clock and runs the
# sweep itself (`Worker.recheck_delivered`). A background sweep (one at start, then every
# minute) could take the check the moment it falls due, and the test's own call would find
# nothing left; a test about the loop sets `recheck_interval_s` itself.
FAST = WorkerConfig(
    sweep_interval_s=0.05,
    outbox_interval_s=0.05,
    catalogue_refresh_s=None,
    shutdown_grace_s=3,
    recheck_interval_s=None,
)


class CountingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that counts `/pay` requests per request_id before sending them."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport(retries=0)
        self.pays: Counter[str] = Counter()
        self.requeries: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith(("/pay", "/requery")):
            request_id = json.loads(request.content)["request_id"]
            (self.pays if path.endswith("/pay") else self.requeries)[request_id] += 1
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def gateway_settings(db_url: str, simulator: RunningSimulator, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": DatabaseUrl(db_url),
        "vtpass_base_url": simulator.base_url,
        "vtpass_api_key": Secret(SIM_ACCOUNT.api_key),
        "vtpass_public_key": Secret(SIM_ACCOUNT.public_key),
        "vtpass_secret_key": Secret(SIM_ACCOUNT.secret_key),
        "vtpass_webhook_token": Secret(TOKEN),
        "vtpass_pay_read_timeout_s": 0.3,  # below the timeout scenario's 0.5 s
        "vtpass_read_timeout_s": 2.0,
        "vtpass_breaker_failures": 50,
    }
    values.update(overrides)
    return Settings(**values)


def electricity(meter: str = SUCCESS_METER, naira: int = 1_000) -> PurchaseOrder:
    return PurchaseOrder(
        channel="ussd",
        category="electricity-bill",
        service_id="ikeja-electric",
        amount=naira * N,
        phone=BUYER,
        customer_ref=meter,
        variation_code="prepaid",
        product="Ikeja Electric",
    )


@dataclass
class Harness:
    app: web.Application
    base_url: str  # the gateway, as the simulator reaches it
    simulator: RunningSimulator
    transport: CountingTransport
    clock: FixedClock
    control: httpx.AsyncClient  # the simulator's /__sim/ API

    @property
    def service(self) -> PurchaseService:
        return self.app[purchase_service_key]

    @property
    def db(self) -> async_sessionmaker[AsyncSession]:
        return self.app[db_key]

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/webhooks/vtpass/{TOKEN}"

    def worker(self, worker_id: str | None = None, config: WorkerConfig = FAST) -> Worker:
        """A worker sharing the app's database, VTPass client and wake-up."""
        service = self.service
        if worker_id is not None:
            service = PurchaseService(self.db, self.clock, worker_id=worker_id)
        return Worker(
            service,
            self.app[vtpass_key],
            wakeup=self.app[worker_wakeup_key],
            notifiers=self.app.get(notifiers_key),  # the app's senders (AT when configured)
            clock=self.clock,
            config=config,
        )

    @property
    def app_worker(self) -> Worker | None:
        return self.app.get(worker_key)

    async def sim(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self.control.post(f"__sim/{path}", json=body or {})
        assert response.status_code == 200, response.text
        return response.json()

    async def sim_transactions(self) -> list[dict[str, Any]]:
        return (await self.control.get("__sim/transactions")).json()["transactions"]

    async def callbacks_on(self) -> None:
        await self.sim("callback", {"url": self.webhook_url})

    async def fund(self, naira: int, phone: str = BUYER) -> int:
        return (await self.service.credit_wallet(phone, naira * N, f"seed-{phone}")).user_id

    async def submit(self, user_id: int, order: PurchaseOrder, key: str) -> PurchaseRecord:
        return (await self.service.submit(user_id, order, idempotency_key=key)).purchase

    async def wait_status(
        self, purchase_id: int, statuses: Collection[PurchaseStatus], timeout: float = 5.0
    ) -> PurchaseRecord:
        async def check() -> PurchaseRecord | None:
            current = await self.service.get(purchase_id)
            return current if current.status in statuses else None

        return await eventually(check, timeout, f"purchase {purchase_id} to be {statuses}")

    async def wait_pending(self, purchase_id: int, timeout: float = 5.0) -> PurchaseRecord:
        """Pending with the `/pay` answer handled (the worker let go, a requery is scheduled)."""

        async def check() -> PurchaseRecord | None:
            current = await self.service.get(purchase_id)
            waiting = current.status is PurchaseStatus.PENDING and current.attempts >= 1
            return current if waiting and current.vend_claimed_by is None else None

        return await eventually(check, timeout, f"purchase {purchase_id} to wait for a requery")

    async def settle_webhooks(self) -> None:
        """Every callback delivered and every requery it started finished."""
        await self.simulator.state.drain_webhooks()
        await self.app[vtpass_webhooks_key].drain()

    async def make_due(self, seconds: float = 31.0) -> None:
        """Move both clocks past a requery backoff and wake the workers."""
        self.clock.advance(seconds)
        self.app[worker_wakeup_key].poke()

    async def wallet(self, phone: str = BUYER) -> int:
        return await self.service.wallet_balance(phone)

    async def vtpass_float(self) -> int:
        async with self.db() as session:
            system = await ledger.load_system_accounts(session)
            return await ledger.balance(session, system.vtpass_float.id)

    async def outbox(self, purchase_id: int) -> list[OutboxMessage]:
        async with self.db() as session:
            return await outbox.for_purchase(session, purchase_id)

    async def reconciled(self) -> ReconcileReport:
        report = await reconcile_database(self.db)
        assert report.ok, report.render()
        return report


async def eventually(check: Callable[[], Any], timeout: float = 5.0, what: str = "it") -> Any:
    """Poll `check` every 20 ms until it returns something truthy; fail after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def start_harness(
    aiohttp_server: Any,
    simulator: RunningSimulator,
    clock: FixedClock,
    db_url: str,
    **overrides: Any,
) -> tuple[Harness, httpx.AsyncClient]:
    transport = CountingTransport()
    app = create_app(
        gateway_settings(db_url, simulator, **overrides), vtpass_transport=transport, clock=clock
    )
    app[worker_config_key] = FAST
    server = await aiohttp_server(app)
    control = httpx.AsyncClient(base_url=simulator.root_url, timeout=5)
    base = str(server.make_url("")).rstrip("/")
    return Harness(app, base, simulator, transport, clock, control), control
