"""The embedded default (SQLite, the in-process simulator): a card checkout's webhook credits
once, and its event's outcome is written in the credit's transaction, as on Postgres."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from gateway.app import create_app
from gateway.embedded_paystack import paystack_simulator_key
from gateway.keys import db_key
from gateway.paystack.keys import paystack_webhooks_key
from gateway.settings import Settings
from gateway.store.migrate import upgrade
from gateway.store.tables import PaystackEvent
from tests.api.helpers import PHONE, bearer, signup


async def test_a_checkout_webhook_credits_once_with_its_outcome(aiohttp_client, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/paylink.db"
    upgrade(url)
    client = await aiohttp_client(create_app(Settings.from_env({"PAYLINK_DATABASE_URL": url})))
    auth = bearer(await signup(client, PHONE))
    started = await client.post(
        "/api/v1/wallet/fundings",
        json={"amount": 500_000},
        headers={**auth, "Idempotency-Key": "embedded-fund-1"},
    )
    assert started.status in (200, 201), await started.text()
    reference = (await started.json())["reference"]
    simulator = client.app[paystack_simulator_key]
    async with httpx.AsyncClient(base_url=simulator.base_url) as sim:
        hooked = await sim.post(
            "/__sim/webhooks", json={"url": str(client.make_url("/webhooks/paystack"))}
        )
        assert hooked.status_code == 200
        paid = await sim.post(f"/__sim/checkout/{reference}", json={"outcome": "success"})
        assert paid.status_code == 200
    await simulator.state.webhooks.drain()
    processor = client.app[paystack_webhooks_key]
    await processor.drain()

    wallet = await (await client.get("/api/v1/wallet", headers=auth)).json()
    assert int(wallet["balance"]["kobo"]) > 0
    async with client.app[db_key]() as session:
        event = (await session.execute(select(PaystackEvent))).scalar_one()
    assert event.outcome == "credited"
    assert event.processed_at is not None
    assert processor._done.batches == 0
