"""The gateway stopped mid-work leaves no database connection and no background task behind.

A connection still checked out when the engine is disposed goes back to a pool nobody closes;
an aiosqlite one then warns (`ResourceWarning`, an error here) only when the garbage collector
finds it, in whichever later test that happens to be. So the app is stopped here while a
`/pay` is at VTPass and the menu warm-up is still fetching, or while Paystack events are being
credited, and garbage is collected at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc

import aiosqlite
import httpx
import pytest

from gateway.app import create_app
from gateway.embedded_paystack import paystack_simulator_key
from gateway.settings import Settings
from gateway.store.migrate import upgrade
from gateway.worker.keys import worker_config_key
from tests.api.helpers import PHONE, bearer, signup
from tests.worker.harness import (
    FAST,
    CountingTransport,
    Harness,
    electricity,
    eventually,
    gateway_settings,
)

BACKGROUND = ("_fill", "_build", "GroupCommit", "funding_account", "vtpass-webhook", "paystack")
TRANSFERS = 20


def open_sqlite_connections() -> set[int]:
    return {
        id(found)
        for found in gc.get_objects()
        if isinstance(found, aiosqlite.Connection) and found._connection is not None
    }


async def paid(transport: CountingTransport) -> bool:
    return bool(transport.pays)


def background_tasks() -> list[str]:
    current = asyncio.current_task()
    found = (repr(task) for task in asyncio.all_tasks() if task is not current)
    return [task for task in found if any(name in task for name in BACKGROUND)]


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_stopping_mid_purchase_leaves_no_connection_or_task_behind(
    simulator, sim_clock, db_url, sessionmaker, aiohttp_server
):
    before = open_sqlite_connections()  # the test's own engine's
    simulator.state.latency_s = 1.0  # every VTPass call, the warm-up's included, is slow
    transport = CountingTransport()
    app = create_app(
        gateway_settings(db_url, simulator, vtpass_pay_read_timeout_s=10.0),
        vtpass_transport=transport,
        clock=sim_clock,
    )
    app[worker_config_key] = dataclasses.replace(FAST, shutdown_grace_s=0.1)
    server = await aiohttp_server(app)
    async with httpx.AsyncClient(base_url=simulator.root_url) as control:
        harness = Harness(app, "", simulator, transport, sim_clock, control)
        user_id = await harness.fund(10_000)
        await harness.submit(user_id, electricity(), "k1")
        await eventually(lambda: paid(transport), what="the /pay to leave")

        await server.close()  # the worker gives up on the /pay; the warm-up is cut short
    gc.collect()  # an abandoned aiosqlite connection warns now, failing this test

    assert background_tasks() == []
    assert open_sqlite_connections() - before == set()


async def test_stopping_mid_credit_leaves_no_connection_or_task_behind(aiohttp_client, tmp_path):
    """Paystack events still being verified and credited when the app stops: their group-commit
    batches are waited for before the engine is disposed."""
    url = f"sqlite+aiosqlite:///{tmp_path}/paylink.db"
    upgrade(url)
    before = open_sqlite_connections()
    client = await aiohttp_client(create_app(Settings.from_env({"PAYLINK_DATABASE_URL": url})))
    tokens = await signup(client, PHONE)
    account = await (await client.get("/api/v1/wallet/account", headers=bearer(tokens))).json()
    simulator = client.app[paystack_simulator_key]
    async with httpx.AsyncClient(base_url=simulator.base_url) as control:
        hook = await control.post(
            "/__sim/webhooks", json={"url": str(client.make_url("/webhooks/paystack"))}
        )
        assert hook.status_code == 200, hook.text
        for _ in range(TRANSFERS):
            sent = await control.post(
                "/__sim/transfers",
                json={"account_number": account["account_number"], "amount": 100_000},
            )
            assert sent.status_code == 200, sent.text
    await simulator.state.webhooks.drain()  # every event acknowledged, its credit under way

    await client.close()
    gc.collect()  # an abandoned aiosqlite connection warns now, failing this test

    assert background_tasks() == []
    assert open_sqlite_connections() - before == set()
