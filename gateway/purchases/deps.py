"""What every purchase use case shares: the database, the clock, the policy, this worker's name.

One object, built once by `PurchaseService`, so submit, vending, settlement and credit read the
same clock and policy and load the ledger's system accounts once between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.errors import NotFound
from gateway.purchases.models import PurchasePolicy
from gateway.store import ledger
from gateway.store import purchases as store
from gateway.store.purchases import PurchaseRecord


@dataclass(slots=True)
class PurchaseDeps:
    """The shared wiring of the purchase use cases (see `PurchaseService`)."""

    db: async_sessionmaker[AsyncSession]
    clock: Clock
    policy: PurchasePolicy
    worker_id: str
    _system: ledger.SystemAccounts | None = field(default=None, repr=False)

    async def system_accounts(self, session: AsyncSession) -> ledger.SystemAccounts:
        """The ledger's system accounts; they never change while the app runs, so read once."""
        if self._system is None:
            self._system = await ledger.load_system_accounts(session)
        return self._system

    async def get(self, purchase_id: int) -> PurchaseRecord:
        """Raises `NotFound` for an unknown id."""
        async with self.db() as session:
            found = await store.get(session, purchase_id)
        if found is None:
            raise NotFound(f"no purchase {purchase_id}")
        return found

    def lease_until(self, now: datetime) -> datetime:
        """When a claim taken at `now` lapses unless this worker's heartbeat renews it."""
        return now + timedelta(seconds=self.policy.vend_lease_s)
