"""The funding sweep: a lost or unprocessed webhook still credits, a slow Paystack still
gives every user an account number.

Each round (every `PAYLINK_FUNDING_SWEEP_INTERVAL` seconds): verify the open checkouts whose
next verify is due (backing off, abandoned after a day); list Paystack's successful
transactions of the last `abandon_after_s` and credit any transfer into one of our dedicated
accounts not yet recorded; retry pending dedicated accounts. Every credit goes through
`Crediting`, so running this beside the webhook (or in several processes) credits once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.errors import UpstreamError
from gateway.funding_settings import FundingSettings
from gateway.paystack import store
from gateway.paystack.accounts import DedicatedAccounts
from gateway.paystack.client import PaystackClient
from gateway.paystack.crediting import Crediting

logger = logging.getLogger(__name__)
_BATCH = 100


@dataclass(frozen=True, slots=True)
class SweepResult:
    verified: int
    transfers_credited: int
    accounts_tried: int


class FundingSweep:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        client: PaystackClient,
        clock: Clock,
        settings: FundingSettings,
        crediting: Crediting,
        accounts: DedicatedAccounts,
    ) -> None:
        self._db = db
        self._client = client
        self._clock = clock
        self._settings = settings
        self._crediting = crediting
        self._accounts = accounts
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def run_once(self) -> SweepResult:
        """One round; Paystack errors are logged and left for the next round."""
        verified = credited = 0
        async with self._db() as session:
            due = await store.due_for_verify(session, self._clock.now(), _BATCH)
        for reference in due:
            try:
                await self._crediting.settle(reference)
                verified += 1
            except UpstreamError as exc:
                logger.warning("sweep: verify of %s failed: %s", reference, exc)
        try:
            credited = await self._transfers()
        except UpstreamError as exc:
            logger.warning("sweep: listing Paystack transactions failed: %s", exc)
        tried = await self._accounts.retry_due()
        return SweepResult(verified, credited, tried)

    async def _transfers(self) -> int:
        since = self._clock.now() - timedelta(seconds=self._settings.abandon_after_s)
        listed = await self._client.transactions(status="success", since=since.isoformat())
        async with self._db() as session:
            known = await store.known_references(session, [t.reference for t in listed])
        credited = 0
        for txn in listed:
            if txn.reference in known or not txn.is_transfer:
                continue
            if await self._crediting.credit_transfer(txn) is not None:
                credited += 1
        return credited

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="funding-sweep")

    def poke(self) -> None:
        """Run a round now (tests, and `paylink fundings sweep`)."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.sweep_interval_s)
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                logger.exception("funding sweep round failed; retrying next round")
