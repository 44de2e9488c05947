"""Starting a card funding: limits, the stated fee, our reference stored first, idempotency.

The reference is minted here and written with the funding *before* Paystack is called, so a
checkout paid after a lost initialize answer still has its row, and the sweep finds it. A
repeated `Idempotency-Key` answers the first funding (same amount) or 409 (another amount).
"""

from __future__ import annotations

import logging
import secrets
import string
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.errors import Conflict, InvalidInput, NotFound, OutcomeUnknown, UpstreamUnavailable
from gateway.funding_settings import FundingSettings
from gateway.money import format_rich
from gateway.paystack import store
from gateway.paystack.client import DuplicateReference, PaystackClient
from gateway.paystack.crediting import Crediting
from gateway.paystack.fees import FeeQuote, card_fee, quote
from gateway.paystack.store import FundingRecord
from gateway.store import users
from gateway.store.tables import User

logger = logging.getLogger(__name__)
_REF_ALPHABET = string.ascii_uppercase + string.digits


class FundingLimitExceeded(InvalidInput):
    """Over the per-funding maximum or the user's daily funding limit."""

    code = "funding_limit_exceeded"


def new_reference() -> str:
    """`PLF-` and 12 random letters and digits: Paystack's reference charset, unguessable."""
    return "PLF-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(12))


def email_for(phone: str, email: str | None, domain: str) -> str:
    """Paystack needs an e-mail; users without one get a stable address on our domain."""
    return email or f"{phone.lstrip('+')}@{domain}"


class Fundings:
    """The card-checkout use cases behind the API."""

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        client: PaystackClient,
        clock: Clock,
        settings: FundingSettings,
        crediting: Crediting,
    ) -> None:
        self._db = db
        self._client = client
        self._clock = clock
        self._settings = settings
        self.crediting = crediting

    def quote(self, amount: int) -> FeeQuote:
        """What a checkout of `amount` costs and brings to the wallet.

        Raises:
            InvalidInput: below the minimum; FundingLimitExceeded: above the maximum.
        """
        settings = self._settings
        if amount < settings.min_amount:
            raise InvalidInput(f"the smallest funding is {format_rich(settings.min_amount)}")
        if amount > settings.max_amount:
            raise FundingLimitExceeded(f"the largest funding is {format_rich(settings.max_amount)}")
        return quote(amount, card_fee(amount), settings.fee_bearer)

    async def start(self, user_id: int, amount: int, idempotency_key: str) -> FundingRecord:
        """A funding with its checkout URL (a replay of the key answers the first one)."""
        stated = self.quote(amount)
        async with self._db.begin() as session:
            funding = await store.by_idempotency_key(session, user_id, idempotency_key)
            if funding is None:
                funding = await self._create(session, user_id, stated, idempotency_key)
            email = await self._email(session, user_id)
        if funding.amount != amount:
            raise Conflict("this Idempotency-Key was used for another amount")
        if funding.authorization_url is not None or funding.status != "open":
            return funding
        return await self._initialize(funding, email)

    async def _create(
        self, session: AsyncSession, user_id: int, stated: FeeQuote, key: str
    ) -> FundingRecord:
        now = self._clock.now()
        user = await users.get(session, user_id)
        if user is None:
            raise NotFound("no such user")
        today = await store.funded_today(session, user_id, now)
        if today + stated.amount > self._settings.daily_limit:
            left = max(self._settings.daily_limit - today, 0)
            raise FundingLimitExceeded(
                f"today you can fund at most {format_rich(left)} more (daily limit "
                f"{format_rich(self._settings.daily_limit)})"
            )
        made = await store.insert_funding(
            session,
            user_id=user_id,
            account_id=user.account_id,
            kind="card",
            reference=new_reference(),
            idempotency_key=key,
            amount=stated.amount,
            fee=stated.fee,
            credit_amount=stated.credit,
            status="open",
            next_verify_at=now + timedelta(seconds=self._settings.verify_after_s),
            created_at=now,
            updated_at=now,
        )
        if made is None:  # the same key, committed concurrently
            made = await store.by_idempotency_key(session, user_id, key)
            if made is None:  # pragma: no cover - the conflict was on this key
                raise Conflict("this Idempotency-Key is in use")
        return made

    async def _email(self, session: AsyncSession, user_id: int) -> str:
        row = (
            await session.execute(select(User.phone, User.email).where(User.id == user_id))
        ).one()
        return email_for(row.phone, row.email, self._settings.email_domain)

    async def _initialize(self, funding: FundingRecord, email: str) -> FundingRecord:
        try:
            checkout = await self._client.initialize(
                email=email,
                amount=funding.amount,
                reference=funding.reference,
                callback_url=self._settings.callback_url,
                metadata={
                    "user_id": funding.user_id,
                    "custom_fields": [
                        {
                            "display_name": "PayLink wallet",
                            "variable_name": "user_id",
                            "value": str(funding.user_id),
                        }
                    ],
                },
            )
        except DuplicateReference:
            # an earlier call reached Paystack but its answer (the checkout URL) was lost;
            # that checkout cannot be paid without it, so this funding ends here
            async with self._db.begin() as session:
                await store.change(
                    session,
                    funding.id,
                    only_if="open",
                    status="abandoned",
                    updated_at=self._clock.now(),
                )
            raise Conflict(
                "that checkout could not be opened; start again with a new Idempotency-Key"
            ) from None
        except (UpstreamUnavailable, OutcomeUnknown):
            logger.warning(
                "initialize failed for funding %s; the key may be retried", funding.reference
            )
            raise
        async with self._db.begin() as session:
            changed = await store.change(
                session,
                funding.id,
                authorization_url=checkout.authorization_url[:500],
                updated_at=self._clock.now(),
            )
        return changed or funding

    async def status(self, user_id: int, reference: str) -> FundingRecord:
        """A funding of this user; an open checkout is verified first (the return page).

        Raises:
            NotFound: no such funding, or another user's.
        """
        async with self._db() as session:
            funding = await store.by_reference(session, reference)
        if funding is None or funding.user_id != user_id:
            raise NotFound(f"no funding {reference}")
        if funding.status != "open":
            return funding
        try:
            settled = await self.crediting.settle(reference)
        except (UpstreamUnavailable, OutcomeUnknown) as exc:
            logger.info("verify of %s on the return page failed: %s", reference, exc)
            return funding
        return settled or funding
