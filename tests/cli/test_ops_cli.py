"""`paylink requery`, `reconcile`, `outbox`, `catalogue sync` and `worker` against the simulator.

The reconcile story: after real purchases (delivered, failed, one left pending at VTPass) the
command requeries the open one, checks every invariant and exits 0; once a test corrupts a
cached wallet balance behind the ledger's back, it names the discrepancy and exits 1.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from gateway.cli.worker import create_worker_app
from gateway.domain.purchase_status import PurchaseStatus
from gateway.keys import clock_key
from gateway.purchases.keys import purchase_service_key
from gateway.purchases.ordering import OrderRequest
from gateway.settings import Settings
from gateway.vtpass.keys import vtpass_key
from tests.cli.conftest import cli_env, paylink
from tests.worker.harness import BUYER, N, electricity, eventually

PENDING_METER = "201000000000"
SUCCESS_PHONE = "08011111111"  # the simulator delivers phone-keyed products to this number
PLAN = "mtn-10mb-100"


async def buy(harness, meters):
    user_id = await harness.fund(20_000)
    purchases = [
        await harness.submit(user_id, electricity(meter), f"k{i}") for i, meter in enumerate(meters)
    ]
    worker = harness.worker()
    await worker.run_due()
    await worker.send_outbox()
    return [await harness.service.get(p.id) for p in purchases]


async def test_reconcile_is_clean_after_purchases_and_fails_on_a_corrupt_ledger(
    pg_harness, pg_url, capsys
):
    harness = pg_harness
    delivered, failed, pending = await buy(
        harness, ["1111111111111", "1234567890123", PENDING_METER]
    )
    assert (delivered.status, failed.status, pending.status) == (
        PurchaseStatus.DELIVERED,
        PurchaseStatus.FAILED,
        PurchaseStatus.PENDING,
    )
    await harness.sim("resolve", {"request_id": pending.request_id, "status": "delivered"})
    env = cli_env(pg_url, harness.simulator)

    assert await paylink(env, "reconcile", clock=harness.clock) == 0

    out = capsys.readouterr().out
    assert "requeried 1 pending purchases; 1 settled" in out
    assert "purchases: 0 initiated, 0 pending, 2 delivered, 1 failed, 0 reversed" in out
    assert "VTPass float" in out
    assert out.rstrip().endswith("no discrepancies")
    assert harness.transport.pays[pending.request_id] == 1

    async with harness.db.begin() as session:
        await session.execute(
            text("UPDATE accounts SET balance = balance + 100 WHERE kind = 'wallet'")
        )

    assert await paylink(env, "reconcile", "--offline", clock=harness.clock) == 1
    out = capsys.readouterr().out
    assert "1 discrepancies" in out
    assert "[wallet_cache]" in out


async def test_a_delivery_vtpass_charged_differently_is_flagged_and_fails_reconcile(
    pg_harness, pg_url, capsys, caplog
):
    # The price moved at VTPass between our submit (wallet debited the old price) and the
    # vend: VTPass charged our float another figure. Nothing may let that pass unseen.
    harness = pg_harness
    user_id = await harness.fund(20_000)
    order = await harness.service.pricer.price(
        user_id,
        OrderRequest(
            channel="api",
            service_id="mtn-data",
            phone=SUCCESS_PHONE,
            customer_ref=SUCCESS_PHONE,  # VTPass's billersCode: the number to credit
            variation_code=PLAN,
        ),
    )
    purchase = await harness.submit(user_id, order, "k-plan")
    plans = await harness.app[vtpass_key].variations("mtn-data")
    await harness.sim(
        "variations-update",
        {
            "serviceID": "mtn-data",
            "new_variations": [
                {
                    "variation_code": p.code,
                    "name": p.name,
                    "variation_amount": str((p.amount + (100 * N if p.code == PLAN else 0)) / N),
                }
                for p in plans
            ],
        },
    )

    with caplog.at_level(logging.ERROR, logger="gateway.purchases.settlement"):
        await harness.worker().run_due()

    done = await harness.service.get(purchase.id)
    assert done.status is PurchaseStatus.DELIVERED
    assert (done.needs_review, done.face_amount) == (True, order.amount)
    assert done.vtpass_amount == order.amount + 100 * N
    [alert] = [r for r in caplog.records if "purchase_amount_mismatch" in r.getMessage()]
    assert alert.levelno == logging.ERROR
    assert f"purchase {purchase.id} " in alert.getMessage()

    assert await paylink(cli_env(pg_url), "reconcile", "--offline") == 1
    out = capsys.readouterr().out
    assert "1 discrepancies" in out
    assert f"[vtpass_amount] purchase {purchase.id}: delivered mtn-data" in out
    assert f"VTPass charged {order.amount + 100 * N}" in out


async def test_requery_settles_pending_purchases_now(pg_harness, pg_url, capsys):
    harness = pg_harness
    (pending,) = await buy(harness, [PENDING_METER])
    await harness.sim("resolve", {"request_id": pending.request_id, "status": "failed"})

    env = cli_env(pg_url, harness.simulator)
    assert await paylink(env, "requery", "--older-than", "0s", clock=harness.clock) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"purchase {pending.id} {pending.reference} ({pending.request_id}): pending -> failed"
    )
    assert out[-1] == "requeried 1 pending purchases; 1 settled"
    assert await harness.wallet() == 20_000 * N
    await harness.reconciled()


async def test_requery_skips_purchases_younger_than_asked(pg_harness, pg_url, capsys):
    harness = pg_harness
    await buy(harness, [PENDING_METER])
    env = cli_env(pg_url, harness.simulator)
    # the purchase was sent "now" on the harness clock: not a day old yet, whatever the date
    assert await paylink(env, "requery", "--older-than", "1d", clock=harness.clock) == 0
    assert capsys.readouterr().out.strip().endswith("requeried 0 pending purchases; 0 settled")

    harness.clock.advance(86_400)  # a day later on the same clock, it is asked (and settles)
    assert await paylink(env, "requery", "--older-than", "1d", clock=harness.clock) == 0
    assert capsys.readouterr().out.strip().endswith("requeried 1 pending purchases; 1 settled")


async def test_requery_needs_a_vtpass_to_ask(db_url, sessionmaker, capsys):
    env = cli_env(db_url)  # the built-in simulator only lives inside `paylink serve`

    assert await paylink(env, "requery") == 2
    assert "PAYLINK_VTPASS_BASE_URL" in capsys.readouterr().err


async def test_the_outbox_lists_receipts_newest_first(pg_harness, pg_url, capsys):
    harness = pg_harness
    await buy(harness, ["1111111111111", "1234567890123"])
    env = cli_env(pg_url)

    assert await paylink(env, "outbox", "--phone", BUYER, clock=harness.clock) == 0
    assert await paylink(env, "outbox", "--phone", "08099999999", clock=harness.clock) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4  # two receipts, then (oldest) the SMS of the credit that funded them
    ids = [int(line.split()[0].lstrip("#")) for line in lines[:3]]
    assert ids == sorted(ids, reverse=True)
    assert all(" sent " in line and "+2348031234567" in line for line in lines[:3])
    assert sorted("refunded" in line for line in lines[:2]) == [False, True]
    assert any("Token: " in line for line in lines[:2])
    assert "was added to your wallet" in lines[2]
    assert lines[3] == "no notifications for +2348099999999"


async def test_catalogue_sync_lists_what_vtpass_sells(simulator, db_url, sessionmaker, capsys):
    assert await paylink(cli_env(db_url, simulator), "catalogue", "sync") == 0

    out = capsys.readouterr().out
    assert "electricity-bill" in out
    assert "mtn-data" in out


async def test_paylink_worker_vends_what_another_process_submitted(
    pg_harness, pg_url, simulator, capsys
):
    harness = pg_harness
    user_id = await harness.fund(10_000)
    settings = Settings.from_env(cli_env(pg_url, simulator))
    app = create_worker_app(settings, clock=harness.clock)
    assert app[clock_key] is harness.clock
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        purchase = await harness.submit(user_id, electricity(), "k1")
        separate = app[purchase_service_key]
        assert separate is not harness.service

        async def delivered():
            return (await harness.service.get(purchase.id)).status is PurchaseStatus.DELIVERED

        await eventually(delivered, timeout=10, what="the worker process to deliver")
    finally:
        await runner.cleanup()
    await harness.reconciled()
