"""SIGTERM to a `paylink serve` mid-purchase: readiness off at once, nothing half-done.

The gateway runs on Postgres + Redis with its worker in-process (`PAYLINK_RUN_WORKER`), and
VTPass (the simulator) takes 1.5 s over every answer. The signal arrives while the customer's
meter is being verified; from then on `/readyz` answers 503 `stopping` while the routes still
serve for `PAYLINK_SHUTDOWN_DELAY` (the balancer's time to notice), so the journey finishes:
the hop in flight is answered and the PIN hop submits. VTPass then takes 5 s over the `/pay`,
which is still in flight when the listener closes. The process waits for it, settles the
purchase and exits 0: one `/pay`, the purchase delivered (no other process vends), the books
reconciled.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

from gateway.purchases.reconcile import reconcile_database
from gateway.store.tables import purchases_table
from tests.deploy.stack import customer, gateway_env, serve, simulator, wait_ready
from tests.ussd.helpers import RECEIVED
from tests.ussd.phone import Phone

PHONE = "08031234567"
PIN = "2580"
METER = "1111111111111"
VTPASS_LATENCY_S = 1.5
PAY_LATENCY_S = 5.0
DRAIN_DELAY_S = 4.0


async def readiness_off(client: httpx.AsyncClient, within_s: float) -> httpx.Response:
    """`/readyz` once it answers 503: the signal reaches the server's loop a moment after it is
    sent, and a probe already on its way may still be answered ready."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        readyz = await client.get("/readyz")
        if readyz.status_code == 503 or asyncio.get_running_loop().time() > deadline:
            return readyz
        await asyncio.sleep(0.05)


@pytest.mark.timeout(120)
async def test_sigterm_mid_purchase_turns_readiness_off_and_settles_the_purchase_before_exit(
    pg_url, pg_sessionmaker, tmp_path
):
    db = pg_sessionmaker
    async with simulator(tmp_path) as sim:
        env = gateway_env(
            pg_url,
            sim.url,
            PAYLINK_RUN_WORKER="true",
            PAYLINK_SHUTDOWN_DELAY=str(DRAIN_DELAY_S),
            PAYLINK_SHUTDOWN_TIMEOUT="20",
        )
        gateway, url = serve("gateway", env, tmp_path)
        try:
            await wait_ready(url, tmp_path)
            user_id = await customer(db, env, PHONE, 10_000, PIN)
            async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                handset = Phone(client, PHONE)
                await handset.dial()
                await handset.send("3", "1", "1")
                await sim.latency(VTPASS_LATENCY_S)
                in_flight = asyncio.create_task(handset.send(METER))
                await asyncio.sleep(0.3)
                gateway.process.send_signal(15)  # SIGTERM, as docker stop sends

                readyz = await readiness_off(client, within_s=DRAIN_DELAY_S / 2)
                healthz = await client.get("/healthz")
                confirm_amount = await in_flight
                confirm = await handset.send("1000")
                await sim.latency(PAY_LATENCY_S)
                acknowledged = await handset.send(PIN)
            exit_code = await asyncio.to_thread(gateway.process.wait, 30)
        finally:
            gateway.stop()
        pays = await sim.pay_requests()

    async with db() as session:
        purchase = (
            await session.execute(
                select(purchases_table).where(purchases_table.c.user_id == user_id)
            )
        ).one()
    log = (tmp_path / "gateway.log").read_text()

    assert readyz.status_code == 503
    assert readyz.json()["status"] == "stopping"
    assert healthz.status_code == 200
    assert confirm_amount.startswith("CON ")
    assert confirm.startswith("CON ")
    assert acknowledged == RECEIVED
    assert exit_code == 0
    assert purchase.status == "delivered"
    assert pays == {purchase.request_id: 1}
    steps = ["stopping: /readyz answers 503", "closing the listener", "VTPass pay", "stopped"]
    assert sorted(steps, key=log.index) == steps  # the /pay was answered after the close
    report = await reconcile_database(db)
    assert report.ok, report.render()
