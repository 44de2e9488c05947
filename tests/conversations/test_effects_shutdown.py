"""An account number made past the reply budget finishes in the background; shutdown waits
for it, so it never writes through a database pool that has already been closed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from gateway.clock import FixedClock
from gateway.conversations.config import derive_key
from gateway.conversations.effects import EffectRunner, HopContext
from gateway.conversations.lines import Lines
from gateway.conversations.pin_staging import PinStaging
from gateway.conversations.sessions import MemorySessionStore
from gateway.flows.model import (
    AccountStatus,
    FundingAccount,
    FundingAccountLoaded,
    LoadFundingAccount,
)
from gateway.settings import Secret
from tests.conversations.fakes import FakeServices

PHONE = "+2348031234567"
SECRET = Secret("k" * 48)
ACTIVE = FundingAccount(AccountStatus.ACTIVE, "Wema Bank", "9930000001", "PAYLINK/ADA")


class SlowAccounts(FakeServices):
    """Paystack makes the account only when the test opens `gate`."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = asyncio.Event()
        self.gate = asyncio.Event()
        self.made: list[int] = []

    async def funding_account(self, user_id: int) -> FundingAccount:
        self.asked.set()
        await self.gate.wait()
        self.made.append(user_id)
        return ACTIVE


def runner(services: SlowAccounts) -> EffectRunner:
    store = MemorySessionStore()
    clock = FixedClock(datetime(2026, 11, 27, 10, tzinfo=UTC))
    staging = PinStaging(store, derive_key(SECRET, "pin-staging"))
    lines = Lines(store, derive_key(SECRET, "phone-line"), clock)
    return EffectRunner(services, staging, lines, clock)


def hop(user_id: int, budget_s: float) -> HopContext:
    deadline = asyncio.get_running_loop().time() + budget_s
    return HopContext("ussd", "s-1", PHONE, "seed", user_id, False, deadline)


async def test_drain_waits_for_an_account_still_being_made_past_the_reply_budget():
    services = SlowAccounts()
    user_id = services.add(PHONE)
    effects = runner(services)
    answered = await effects.run(LoadFundingAccount(), hop(user_id, 0.0))
    assert answered == FundingAccountLoaded(FundingAccount(AccountStatus.PENDING))
    draining = asyncio.create_task(effects.drain())
    await asyncio.sleep(0.01)
    assert not draining.done()
    services.gate.set()
    await draining
    assert services.made == [user_id]


async def test_drain_waits_for_an_account_whose_hop_was_cancelled():
    services = SlowAccounts()
    user_id = services.add(PHONE)
    effects = runner(services)
    asking = asyncio.create_task(effects.run(LoadFundingAccount(), hop(user_id, 60.0)))
    await services.asked.wait()
    asking.cancel()  # the channel's request went away; the account is still made
    draining = asyncio.create_task(effects.drain())
    await asyncio.sleep(0.01)
    assert not draining.done()
    services.gate.set()
    await draining
    assert services.made == [user_id]
    assert asking.cancelled()
