"""Operator credit: funding -> wallet, once per reference; unknown users are created.

`check_credit` is the pure validation; `WalletCredits` posts the journal under the wallet lock,
queues the owner's "wallet credited" SMS in the same transaction (so a credit is texted exactly
once, however often its reference is repeated), and answers a repeated reference with the first
credit (or refuses a mismatch).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import Conflict, InvalidInput
from gateway.phones import Msisdn, normalize_phone
from gateway.purchases.deps import PurchaseDeps
from gateway.purchases.models import Credit
from gateway.store import ledger, outbox, users
from gateway.texts import account

_PREFIX = "credit:"


def check_credit(phone: str, amount: int, reference: str) -> tuple[Msisdn, str]:
    """(E.164 phone, journal reference) of a well-formed credit.

    Raises:
        InvalidInput: a bad phone, amount or reference.
    """
    try:
        msisdn = normalize_phone(phone)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput("the amount must be a positive number of kobo")
    if not reference or len(reference) > 120:
        raise InvalidInput("a reference of 1 to 120 characters is required")
    return msisdn, f"{_PREFIX}{reference}"


class WalletCredits:
    """Credits wallets from the funding account."""

    def __init__(self, deps: PurchaseDeps) -> None:
        self._deps = deps

    async def credit(
        self,
        phone: str,
        amount: int,
        reference: str,
        *,
        name: str | None = None,
        actor: str | None = None,
        actor_ip: str | None = None,
    ) -> Credit:
        """See `PurchaseService.credit_wallet`."""
        msisdn, journal_ref = check_credit(phone, amount, reference)
        by = (actor, actor_ip)
        try:
            async with self._deps.db.begin() as session:
                return await self._credit(session, msisdn, amount, journal_ref, name, by)
        except IntegrityError:
            # the same reference committed concurrently: report it (or the mismatch)
            async with self._deps.db.begin() as session:
                return await self._credit(session, msisdn, amount, journal_ref, name, by)

    async def _credit(
        self,
        session: AsyncSession,
        phone: Msisdn,
        amount: int,
        journal_ref: str,
        name: str | None,
        by: tuple[str | None, str | None],
    ) -> Credit:
        now = self._deps.clock.now()
        user, _ = await users.get_or_create(session, phone, now=now, name=name)
        system = await self._deps.system_accounts(session)
        existing = await ledger.journal_by_reference(session, journal_ref)
        if existing is not None:
            legs = await ledger.journal_legs(session, existing)
            if (user.account_id, ledger.Side.CREDIT, amount) not in legs:
                reference = journal_ref.removeprefix(_PREFIX)
                raise Conflict(f"reference {reference!r} was used for another credit")
            created = False
        else:
            wallet = ledger.AccountRef(user.account_id, is_wallet=True)
            await ledger.post(
                session,
                kind=ledger.JournalKind.CREDIT,
                reference=journal_ref,
                legs=ledger.transfer(system.funding, wallet, amount),
                at=now,
                actor=by[0],
                actor_ip=by[1],
            )
            created = True
        locked = await users.lock_wallet(session, user.id)
        assert locked is not None  # noqa: S101 - get_or_create made the wallet
        if created:
            notice = account.wallet_credited(amount, locked.balance).body
            await outbox.enqueue(session, phone=phone, body=notice, at=now, user_id=user.id)
        return Credit(user.id, user.account_id, locked.balance, created)
