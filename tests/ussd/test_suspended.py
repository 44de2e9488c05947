"""A suspended account buys nothing on USSD: the purchase service refuses it under the wallet lock.

The story: an operator suspends a customer (fraud report). The customer's handset still dials
the menu, but a confirmed purchase with the right PIN moves no money and reaches no provider.
"""

from __future__ import annotations

from sqlalchemy import update

from gateway.store.tables import User
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, purchases
from tests.worker.harness import N


async def test_a_suspended_customers_ussd_purchase_is_refused(gateway, phone):
    user_id = await customer(gateway)
    async with gateway.db.begin() as session:
        await session.execute(update(User).where(User.id == user_id).values(status="suspended"))
    handset = phone()
    await handset.dial()
    await handset.send("1")
    await handset.send("1")  # my number
    await handset.send("500")

    answer = await handset.send(PIN)

    assert answer != RECEIVED
    assert answer.startswith("END ")
    assert "cannot buy" in answer
    assert await purchases(gateway, user_id) == []
    assert await gateway.wallet() == 100_000 * N
    assert sum(gateway.transport.pays.values()) == 0
