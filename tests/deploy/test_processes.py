"""docker-compose.yml's shape, run as plain processes: a one-off `paylink migrate`, two
`paylink serve` gateways on one Postgres and Redis (different ports, as two replicas) and one
`paylink worker`. A USSD purchase answered by one gateway is vended by the worker, whose
receipt reaches the customer through (the fake) Africa's Talking; the books then reconcile.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from gateway.purchases.reconcile import reconcile_database
from gateway.store.db import create_db_engine, create_sessionmaker
from gateway.store.tables import purchases_table
from tests.deploy.stack import (
    customer,
    fake_at,
    gateway_env,
    migrate,
    serve,
    simulator,
    wait_ready,
)
from tests.fixtures.database import temporary_pg_database
from tests.resilience.processes import Child, stop_all, wait_until
from tests.ussd.helpers import RECEIVED
from tests.ussd.phone import Phone

PHONE = "08031234567"
PIN = "2580"
METER = "1111111111111"  # the simulator delivers to it, with a token


@pytest.mark.timeout(120)
async def test_two_gateways_and_a_worker_sell_and_receipt_a_ussd_purchase(tmp_path):
    with temporary_pg_database(migrate=False) as db_url:
        engine = create_db_engine(db_url)
        db = create_sessionmaker(engine)
        children: list[Child] = []
        try:
            async with simulator(tmp_path) as sim, fake_at() as at:
                env = gateway_env(db_url, sim.url, at_url=at.base_url)
                migrated = migrate(env)
                assert migrated.returncode == 0, migrated.stderr
                assert "is at head" in migrated.stderr

                (first, first_url), (second, second_url) = (
                    serve(f"gateway-{i}", env, tmp_path) for i in range(2)
                )
                children += [first, second]
                children.append(Child("worker", ("worker",), env, tmp_path).start())
                for url in (first_url, second_url):
                    await wait_ready(url, tmp_path)
                user_id = await customer(db, env, PHONE, 10_000, PIN)

                async with httpx.AsyncClient(base_url=first_url, timeout=10) as client:
                    handset = Phone(client, PHONE)
                    assert (await handset.dial()).startswith("CON ")
                    await handset.send("3", "1", "1", METER, "1000")
                    assert await handset.send(PIN) == RECEIVED

                async def receipts() -> list[str]:
                    texts = [sms.message for sms in at.accepted_to("+234" + PHONE[1:])]
                    return [text for text in texts if "meter" in text]

                texts = await wait_until(receipts, 30, "the receipt SMS", tmp_path)
                pays = await sim.pay_requests()
        finally:
            stop_all(children)
        async with db() as session:
            rows = (
                await session.execute(
                    select(purchases_table.c.status, purchases_table.c.request_id).where(
                        purchases_table.c.user_id == user_id
                    )
                )
            ).all()
        report = await reconcile_database(db)
        await engine.dispose()

    assert [row.status for row in rows] == ["delivered"]
    assert pays == {rows[0].request_id: 1}
    assert len(texts) == 1
    assert f"for meter {METER} successful" in texts[0]
    assert "Token: " in texts[0]
    assert report.ok, report.render()
