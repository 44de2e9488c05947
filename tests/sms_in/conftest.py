"""SMS inbound end to end: the whole gateway on Postgres + real Redis + the simulator + a worker.

The `gateway` fixture is the USSD suite's (tests/ussd/conftest.py): `create_app` served on
loopback with Redis under a unique prefix and a worker vending what is bought. `handset(number)`
texts it as Africa's Talking would (tests/sms_in/handset.py); `sms_customer` is a funded user
with a PIN who turned SMS purchases on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gateway.store import sms_settings
from tests.sms_in.handset import Handset
from tests.ussd import conftest as ussd
from tests.ussd.conftest import PIN, customer
from tests.worker.harness import Harness

# the USSD suite's fixtures, under their own names
client, conversations_config, gateway = ussd.client, ussd.conversations_config, ussd.gateway
redis, redis_prefix = ussd.redis, ussd.redis_prefix
__all__ = ["PIN", "customer"]

BUYER = "08031234567"
SUCCESS = "08011111111"  # the simulator's success number
METER = "1111111111111"
CARD = "1212121212"


@pytest.fixture
def gateway_overrides() -> dict[str, Any]:
    """Settings for one test (`@pytest.mark.parametrize("gateway_overrides", [...])`)."""
    return {}


@pytest.fixture
def handset(gateway: Harness, client: httpx.AsyncClient) -> Callable[..., Handset]:
    def make(number: str = BUYER, **kwargs: Any) -> Handset:
        return Handset(client, gateway.db, number, **kwargs)

    return make


async def sms_customer(
    gateway: Harness, number: str = BUYER, naira: int = 100_000, *, purchases: bool = True
) -> int:
    """A funded user with a PIN; SMS purchases on unless told otherwise."""
    user_id = await customer(gateway, number, naira)
    async with gateway.db.begin() as session:
        await sms_settings.set_purchases(session, user_id, purchases, gateway.clock.now())
    return user_id
