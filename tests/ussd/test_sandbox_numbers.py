"""The simulator's scenario numbers are reachable from a handset: airtime for 201000000000
is vended and stays pending at VTPass (the sandbox's rule), and the same number is refused as
an invalid phone when the gateway is live."""

from __future__ import annotations

import pytest

from gateway.domain.purchase_status import PurchaseStatus
from gateway.settings import VTPassMode
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, purchases

PENDING = "201000000000"


async def test_airtime_for_the_pending_number_is_vended_and_stays_pending(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("1", "2")  # airtime, another number
    assert (await handset.send(PENDING)).startswith("CON Choose network:")
    await handset.send("1")  # MTN
    confirm = await handset.send("500")
    assert f"To {PENDING}" in confirm
    assert await handset.send(PIN) == RECEIVED

    (bought,) = await purchases(gateway, user_id)
    assert bought.phone == PENDING
    pending = await gateway.wait_status(bought.id, {PurchaseStatus.PENDING})
    assert gateway.transport.pays[pending.request_id] == 1


@pytest.mark.parametrize("gateway_overrides", [{"vtpass_mode": VTPassMode.LIVE}])
async def test_live_refuses_the_pending_number_as_an_invalid_phone(gateway, phone):
    user_id = await customer(gateway)
    handset = phone()
    await handset.dial()
    await handset.send("1", "2")

    assert (await handset.send(PENDING)).startswith("CON Invalid phone number.")
    assert await purchases(gateway, user_id) == []
