"""SMS out: the real `africastalking` SDK against the fake AT API (tests/fixtures/fake_at.py).

- `fake_at`: the fake, served on loopback for the test (`fake_at.base_url`);
- `sender`: an `AtSmsSender` pointed at it, with short timeouts (a slow answer times out fast);
- `gateway_overrides`: the AT settings for the worker harness (`harness`, `pg_harness`,
  `worker` from tests/worker), so the app's own `sms_ctx` builds the sender.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.clock import FixedClock
from gateway.settings import Secret
from gateway.sms.sender import AtSmsSender
from gateway.store import outbox
from gateway.worker.notifier import Notifier
from gateway.worker.outbox_lane import OutboxLane, RetryPolicy
from tests.fixtures.fake_at import API_KEY, SENDER_ID, USERNAME, FakeAt
from tests.purchases.conftest import START
from tests.worker.conftest import harness, pg_harness, worker  # noqa: F401 - fixtures

PHONE = "+2348031234567"
POLICY = RetryPolicy(base_s=15, cap_s=300, max_attempts=3)
LEASE_S = 60.0
READ_TIMEOUT_S = 0.5


@pytest.fixture
async def fake_at(aiohttp_server) -> FakeAt:
    fake = FakeAt()
    server = await aiohttp_server(fake.app())
    fake.base_url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
async def sender(fake_at: FakeAt) -> AsyncIterator[AtSmsSender]:
    made = AtSmsSender(
        USERNAME,
        API_KEY,
        base_url=fake_at.base_url,
        sender_id=SENDER_ID,
        threads=4,
        timeout_s=(1.0, READ_TIMEOUT_S),
    )
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def gateway_overrides(fake_at: FakeAt) -> dict[str, Any]:
    return {
        "at_username": USERNAME,
        "at_api_key": Secret(API_KEY),
        "at_sender_id": SENDER_ID,
        "at_api_base_url": fake_at.base_url,
    }


def lane(sessionmaker, notifier: Notifier, clock: FixedClock, channel: str = "sms") -> OutboxLane:
    return OutboxLane(
        channel, notifier, sessionmaker, clock, policy=POLICY, lease_s=LEASE_S, batch=50
    )


async def queue(
    sessionmaker, body: str = "PayLink: hello", phone: str = PHONE, channel: str = "sms"
) -> int:
    async with sessionmaker.begin() as session:
        return await outbox.enqueue(session, phone=phone, body=body, at=START, channel=channel)


async def message(sessionmaker, message_id: int) -> outbox.OutboxMessage:
    async with sessionmaker() as session:
        found = await outbox.get(session, message_id)
    assert found is not None
    return found
