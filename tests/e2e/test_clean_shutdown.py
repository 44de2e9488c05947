"""The gateway stopped mid-work leaves no database connection and no background task behind.

A connection still checked out when the engine is disposed goes back to a pool nobody closes;
an aiosqlite one then warns (`ResourceWarning`, an error here) only when the garbage collector
finds it, in whichever later test that happens to be. So the app is stopped here while a
`/pay` is at VTPass and the menu warm-up is still fetching, and garbage is collected at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc

import aiosqlite
import httpx
import pytest

from gateway.app import create_app
from gateway.worker.keys import worker_config_key
from tests.worker.harness import (
    FAST,
    CountingTransport,
    Harness,
    electricity,
    eventually,
    gateway_settings,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
BACKGROUND = ("_fill", "_build", "GroupCommit", "funding_account", "vtpass-webhook")


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
