"""Each user's own account number (a Paystack dedicated virtual account), made on first ask.

The row is written `pending` first; one caller at a time takes an attempt (a claimed
`next_attempt_at`), asks Paystack for a customer and an account, and records the answer. A slow
or failing Paystack leaves it pending with a backoff, and the sweep retries it: the user is
told "being set up" instead of waiting.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.errors import NotFound, UpstreamError
from gateway.funding_settings import FundingSettings
from gateway.paystack import store
from gateway.paystack.client import PaystackClient
from gateway.paystack.fundings import email_for
from gateway.paystack.store import AccountRecord
from gateway.store.tables import User

logger = logging.getLogger(__name__)
_HOLD_S = 30.0  # an attempt in flight keeps others off this long
_BACKOFF_S = (30.0, 60.0, 300.0, 900.0, 3600.0)


def names_of(name: str | None, phone: str) -> tuple[str, str]:
    """First and last name for Paystack (both required); a user without a name gets
    "PayLink Customer-<last 4 digits>" until they set one."""
    parts = (name or "").split()
    if len(parts) >= 2:
        return parts[0], " ".join(parts[1:])
    if parts:
        return parts[0], "Customer"
    return "PayLink", f"Customer-{phone[-4:]}"


class DedicatedAccounts:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        client: PaystackClient,
        clock: Clock,
        settings: FundingSettings,
    ) -> None:
        self._db = db
        self._client = client
        self._clock = clock
        self._settings = settings

    async def for_user(self, user_id: int) -> AccountRecord:
        """The user's account: active, or pending (asked for now if it was never asked)."""
        now = self._clock.now()
        async with self._db.begin() as session:
            found = await store.account_of(session, user_id)
            if found is None:
                if await session.get(User, user_id) is None:
                    raise NotFound("no such user")
                await store.ask_for_account(session, user_id, self._settings.provider, now)
        if found is None or found.status == "pending":
            await self.attempt(user_id)
        async with self._db() as session:
            current = await store.account_of(session, user_id)
        if current is None:  # pragma: no cover - written above
            raise NotFound("no such user")
        return current

    async def attempt(self, user_id: int) -> None:
        """One creation attempt, if none is in flight and one is due."""
        now = self._clock.now()
        async with self._db.begin() as session:
            if not await store.claim_account_attempt(session, user_id, now, _HOLD_S):
                return
            account = await store.account_of(session, user_id)
            user = (
                await session.execute(
                    select(User.phone, User.email, User.name).where(User.id == user_id)
                )
            ).one()
        if account is None:  # pragma: no cover - claimed above
            return
        code = account.customer_code
        try:
            if code is None:  # kept once made: a retry never creates a second customer
                code = await self._customer(user.phone, user.email, user.name)
            made = await self._client.create_dedicated_account(code, account.provider)
        except UpstreamError as exc:
            wait = _BACKOFF_S[min(account.attempts - 1, len(_BACKOFF_S) - 1)]
            logger.warning("dedicated account for user %d not made yet: %s", user_id, exc)
            async with self._db.begin() as session:
                await store.update_account(
                    session,
                    user_id,
                    customer_code=code,
                    next_attempt_at=self._clock.now() + timedelta(seconds=wait),
                    last_error=str(exc)[:255],
                    updated_at=self._clock.now(),
                )
            return
        async with self._db.begin() as session:
            await store.update_account(
                session,
                user_id,
                status="active",
                customer_code=made.customer_code or code,
                bank_name=made.bank_name,
                account_number=made.account_number,
                account_name=made.account_name,
                next_attempt_at=None,
                last_error=None,
                updated_at=self._clock.now(),
            )

    async def _customer(self, phone: str, email: str | None, name: str | None) -> str:
        first, last = names_of(name, phone)
        return await self._client.create_customer(
            email=email_for(phone, email, self._settings.email_domain),
            first_name=first,
            last_name=last,
            phone=phone,
        )

    async def retry_due(self, limit: int = 50) -> int:
        """The sweep's part: one attempt for each pending account that is due."""
        async with self._db() as session:
            due = await store.accounts_due(session, self._clock.now(), limit)
        for user_id in due:
            await self.attempt(user_id)
        return len(due)
