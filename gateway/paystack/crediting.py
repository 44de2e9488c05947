"""Verify, then credit once: the one routine every funding path goes through (spec §J).

A webhook, the return page and the sweep all end here, and nothing is credited on their word:
`GET /transaction/verify` must say success, NGN, our mode and the amount we initialized
(paystack.md §2.4). The credit is a `funding` journal from the `paystack` settlement account
to the wallet under the unique reference `paystack:<reference>`, written in the transaction
that marks the funding credited and queues the receipt; a second attempt, however it races,
finds the funding no longer open or trips the journal's unique constraint, and credits nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.funding_settings import FundingSettings
from gateway.group_commit import GroupCommit
from gateway.metrics import FUNDING_ALERTS
from gateway.paystack import batch_sql, store
from gateway.paystack.client import PaystackClient
from gateway.paystack.fees import quote, transfer_fee
from gateway.paystack.models import Transaction
from gateway.paystack.store import FundingRecord, Payment
from gateway.store import ledger, outbox, users
from gateway.texts import account as texts
from gateway.texts import telegram as chat_texts

logger = logging.getLogger(__name__)
alerts = logging.getLogger("gateway.paystack.alerts")  # unusual fundings, for operators


def _alert(reason: str, message: str, *args: object) -> None:
    """Tell operators: a WARNING on the alerts logger and `paylink_funding_alerts{reason}`."""
    FUNDING_ALERTS.labels(reason).inc()
    alerts.warning(message, *args)


TELEGRAM = "telegram"  # the outbox channel of a user's linked chat
_OPEN_STATUSES = {"abandoned", "ongoing", "pending", "processing", "queued", "send_otp"}
_RETRY_S = (60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


def journal_reference(reference: str) -> str:
    return f"paystack:{reference}"


def reversal_reference(reference: str) -> str:
    return f"paystack-reversal:{reference}"


@dataclass(frozen=True, slots=True)
class Ledger:
    """The Paystack system accounts: what Paystack owes us, and its fees when PayLink pays."""

    paystack: ledger.AccountRef
    fees: ledger.AccountRef


def credit_legs(
    accounts: Ledger, wallet: ledger.AccountRef, *, paid: int, fees: int, credit: int
) -> list[ledger.Leg]:
    """Paystack settles `paid - fees`; the wallet gets `credit`; the fee account takes the rest
    (an expense when PayLink bears the fee, a small gain if Paystack took less than stated)."""
    legs = [ledger.Leg(wallet, ledger.Side.CREDIT, credit)]
    settled = paid - fees
    if settled > 0:
        legs.append(ledger.Leg(accounts.paystack, ledger.Side.DEBIT, settled))
    rest = max(settled, 0) - credit
    if rest > 0:
        legs.append(ledger.Leg(accounts.fees, ledger.Side.CREDIT, rest))
    elif rest < 0:
        legs.append(ledger.Leg(accounts.fees, ledger.Side.DEBIT, -rest))
    return legs


def mirrored(legs: list[ledger.Leg]) -> list[ledger.Leg]:
    """The legs that undo `legs` (a full refund or chargeback)."""
    flip = {ledger.Side.DEBIT: ledger.Side.CREDIT, ledger.Side.CREDIT: ledger.Side.DEBIT}
    return [ledger.Leg(leg.account, flip[leg.side], leg.amount) for leg in legs]


@dataclass(slots=True)
class EventNote:
    """The webhook event a settle acts for, owned by the caller: `written` turns True when
    the event's outcome (`credited`) was committed in the credit's own transaction, so the
    caller need not write it again."""

    event_id: int
    written: bool = False


@dataclass(frozen=True, slots=True)
class _Credit:
    """A checkout verify said is paid, to credit in the next batch."""

    funding: FundingRecord
    found: Transaction
    event: EventNote | None = None  # the webhook event it settles: its outcome commits with it


class Crediting:
    """Settles fundings against Paystack's verify and posts their credits.

    Why batches: a burst of webhooks (Paystack retrying after an outage, a busy evening) would
    otherwise cost a transaction per read and per credit; concurrent reads share one SELECT
    and concurrent credits one transaction (`GroupCommit`), each credit still guarded by the
    funding's `status = 'open'` and the journal's unique reference.
    """

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        client: PaystackClient,
        clock: Clock,
        settings: FundingSettings,
    ) -> None:
        self._db = db
        self._autocommit = batch_sql.autocommit_engine(db)
        self._client = client
        self._clock = clock
        self._settings = settings
        self._ledger: Ledger | None = None
        self._reads = GroupCommit(
            self._read_batch, name="paystack-fundings", max_batch=256, same_turn=True
        )
        self.credits = GroupCommit(
            self._credit_batch, name="paystack-credits", max_batch=128, same_turn=True
        )

    async def drain(self) -> None:
        """Wait for the reads and credits in flight (shutdown, before the engine is disposed:
        a batch still running would hand its connection back to a pool nothing closes)."""
        await self._reads.drain()
        await self.credits.drain()

    async def _accounts(self, session: AsyncSession) -> Ledger:
        if self._ledger is None:
            paystack = await store.system_account(session, "paystack")
            fees = await store.system_account(session, "paystack_fees")
            self._ledger = Ledger(
                ledger.AccountRef(paystack, is_wallet=False),
                ledger.AccountRef(fees, is_wallet=False),
            )
        return self._ledger

    # -- card checkouts --------------------------------------------------------------------

    async def settle(self, reference: str, event: EventNote | None = None) -> FundingRecord | None:
        """Verify an open checkout and act on what Paystack says; None for a reference we
        never issued (a transfer's, or a forgery's). A webhook passes its event: if this
        credits the funding, the event's outcome is written in the credit's transaction and
        `event.written` says so."""
        return await self.settle_read(await self._reads(reference), event)

    async def settle_read(
        self, funding: FundingRecord | None, event: EventNote | None = None
    ) -> FundingRecord | None:
        """`settle` for a funding already read (a webhook reads it with its event row)."""
        if funding is None or funding.kind != "card" or funding.status != "open":
            return funding
        found = await self._client.verify(funding.reference)
        return await self.apply(funding, found, event)

    async def _read_batch(self, references: Sequence[str]) -> list[FundingRecord | None]:
        wanted = sorted(set(references))
        if self._autocommit is not None:
            async with self._autocommit.connect() as connection:
                found = await batch_sql.by_references(connection, wanted)
        else:
            async with self._db() as session:
                found = await store.by_references(session, wanted)
        return [found.get(reference) for reference in references]

    async def apply(
        self, funding: FundingRecord, found: Transaction | None, event: EventNote | None = None
    ) -> FundingRecord:
        """Act on a verify answer for an open checkout."""
        now = self._clock.now()
        problem = None if found is None else self._refusal(funding, found)
        if found is None or found.status in _OPEN_STATUSES:
            return await self._still_open(funding, now)
        if problem is not None:
            return await self._flag(funding, problem, found, now)
        if found.status == "failed":
            return await self._finish(funding, "failed", found, now)
        if not found.succeeded:  # reversed before we ever credited it, or a status we don't know
            return await self._flag(funding, f"Paystack says {found.status}", found, now)
        return await self._credit_card(funding, found, event)

    def _refusal(self, funding: FundingRecord, found: Transaction) -> str | None:
        """Why a verify answer must not be credited, or None (paystack.md §2.4)."""
        if found.reference != funding.reference:
            return "verify answered another reference"
        if found.domain and found.domain != self._settings.domain:
            return f"a {found.domain} transaction for a {self._settings.domain} key"
        if found.status == "success" and found.currency != "NGN":
            return f"paid in {found.currency or 'no currency'}, not NGN"
        if found.status == "success" and found.amount != funding.amount:
            return f"amount mismatch: initialized {funding.amount}, Paystack charged {found.amount}"
        return None

    async def _still_open(self, funding: FundingRecord, now: datetime) -> FundingRecord:
        age = (now - funding.created_at).total_seconds()
        async with self._db.begin() as session:
            if age >= self._settings.abandon_after_s:
                changed = await store.change(
                    session, funding.id, only_if="open", status="abandoned", updated_at=now
                )
            else:
                wait = _RETRY_S[min(funding.attempts, len(_RETRY_S) - 1)]
                changed = await store.change(
                    session,
                    funding.id,
                    only_if="open",
                    attempts=funding.attempts + 1,
                    next_verify_at=now + timedelta(seconds=wait),
                    updated_at=now,
                )
        return changed or await self._reload(funding.reference)

    async def _finish(
        self, funding: FundingRecord, status: str, found: Transaction, now: datetime
    ) -> FundingRecord:
        async with self._db.begin() as session:
            changed = await store.change(
                session,
                funding.id,
                only_if="open",
                status=status,
                paid_amount=found.amount,
                channel=found.channel,
                paystack_id=found.id,
                next_verify_at=None,
                updated_at=now,
            )
        return changed or await self._reload(funding.reference)

    async def _flag(
        self, funding: FundingRecord, reason: str, found: Transaction, now: datetime
    ) -> FundingRecord:
        _alert(
            "review",
            "funding_review reference=%s user_id=%d reason=%s",
            funding.reference,
            funding.user_id,
            reason,
        )
        async with self._db.begin() as session:
            changed = await store.change(
                session,
                funding.id,
                only_if="open",
                status="review",
                review_reason=reason[:255],
                paid_amount=found.amount,
                paid_fees=found.fees,
                channel=found.channel,
                paystack_id=found.id,
                next_verify_at=None,
                updated_at=now,
            )
        return changed or await self._reload(funding.reference)

    async def _credit_card(
        self, funding: FundingRecord, found: Transaction, event: EventNote | None
    ) -> FundingRecord:
        try:
            credited = await self.credits(_Credit(funding, found, event))
        except IntegrityError:
            # the journal exists: another process credited it between our read and our write
            return await self._reload(funding.reference)
        if credited is None:  # settled meanwhile, by another path
            return await self._reload(funding.reference)
        self._alert_if_unusual(credited)
        return credited

    async def _credit_batch(self, items: Sequence[_Credit]) -> list[FundingRecord | None]:
        """Credit a batch of verified checkouts in one transaction; None for one that was no
        longer open (or came twice in the batch: the first takes it)."""
        now = self._clock.now()
        paid: dict[int, Transaction] = {}
        for item in items:  # a funding twice in one batch: its first verify answer counts
            paid.setdefault(item.funding.id, item.found)
        payments = [
            Payment(funding_id, found.amount, found.fees, found.channel, found.id)
            for funding_id, found in paid.items()
        ]
        events = [(i.event.event_id, i.funding.id) for i in items if i.event is not None]
        async with self._db.begin() as session:
            if self._autocommit is not None:  # Postgres: the events' outcomes in the same statement
                credited = await batch_sql.mark_credited(session, payments, now, events)
            else:
                credited = await store.mark_credited(session, payments, now)
                ids = {funding.id for funding in credited}
                done = [(event_id, "credited") for event_id, f in events if f in ids]
                await store.events_done(session, done, now)
            await self._post_credits(session, credited, paid, now)
        by_id = {funding.id: funding for funding in credited}
        for item in items:
            if item.event is not None and item.funding.id in by_id:
                item.event.written = True
        return [by_id.pop(item.funding.id, None) for item in items]

    async def _post_credits(
        self,
        session: AsyncSession,
        fundings: Sequence[FundingRecord],
        paid: Mapping[int, Transaction],
        now: datetime,
    ) -> None:
        """The credit journals of these fundings and their receipts, in the caller's
        transaction: wallets locked in account order, each balance moved once."""
        if not fundings:
            return
        accounts = await self._accounts(session)
        user_ids = {funding.user_id for funding in fundings}
        to: dict[int, tuple[str, bool]] | None = None
        if self._autocommit is not None:  # Postgres: the wallets and recipients at once
            found = await batch_sql.lock_wallets(session, user_ids, TELEGRAM)
            wallets = {user_id: (w.account_id, w.balance) for user_id, w in found.items()}
            to = {user_id: (w.phone, w.in_chat) for user_id, w in found.items()}
        else:
            locked_wallets = await users.lock_wallets(session, user_ids)
            wallets = {u: (w.account_id, w.balance) for u, w in locked_wallets.items()}
        postings = []
        for funding in fundings:
            found_paid = paid[funding.id]
            wallet = ledger.AccountRef(funding.account_id, is_wallet=True)
            fees = found_paid.fees if found_paid.fees is not None else funding.fee
            legs = credit_legs(
                accounts, wallet, paid=found_paid.amount, fees=fees, credit=funding.credit_amount
            )
            postings.append(
                ledger.Posting(
                    ledger.JournalKind.FUNDING,
                    journal_reference(funding.reference),
                    legs,
                    now,
                    memo=f"Paystack {funding.kind} {funding.reference}"[:255],
                )
            )
        locked = all(
            funding.user_id in wallets and wallets[funding.user_id][0] == funding.account_id
            for funding in fundings
        )
        if to is None:
            await ledger.post_many(session, postings, wallets_locked=locked)
            to = await store.recipients(session, user_ids, TELEGRAM)
        receipts = self._receipts(fundings, {u: w[1] for u, w in wallets.items()}, to)
        if self._autocommit is not None and locked:
            await batch_sql.post_credits(session, postings, receipts, now)
            return
        if self._autocommit is not None:  # a wallet that was not locked above: the long way
            await ledger.post_many(session, postings, wallets_locked=False)
        await outbox.enqueue_many(session, receipts, at=now)

    @staticmethod
    def _receipts(
        fundings: Sequence[FundingRecord],
        balances: dict[int, int],
        to: Mapping[int, tuple[str, bool]],
    ) -> list[outbox.NewMessage]:
        """The receipt of each credit ("Wallet funded", the balance after it), chat or SMS."""
        receipts = []
        for funding in fundings:
            user_id = funding.user_id
            if user_id not in balances or user_id not in to:
                continue
            phone, in_chat = to[user_id]
            balances[user_id] += funding.credit_amount
            sms = texts.wallet_funded(funding.credit_amount, balances[user_id]).body
            if in_chat:  # a linked chat is free and at hand; it falls back to SMS
                chat = chat_texts.wallet_funded(funding.credit_amount, balances[user_id], sms)
                receipts.append(outbox.NewMessage(phone, chat.body, TELEGRAM, user_id))
            else:
                receipts.append(outbox.NewMessage(phone, sms, user_id=user_id))
        return receipts

    def _alert_if_unusual(self, funding: FundingRecord) -> None:
        if funding.amount >= self._settings.alert_amount:
            _alert(
                "large",
                "funding_unusual reference=%s user_id=%d amount_kobo=%d reason=large",
                funding.reference,
                funding.user_id,
                funding.amount,
            )

    async def _reload(self, reference: str) -> FundingRecord:
        async with self._db() as session:
            found = await store.by_reference(session, reference)
        if found is None:  # pragma: no cover - fundings are never deleted
            raise LookupError(reference)
        return found

    # -- transfers into dedicated accounts -------------------------------------------------

    async def credit_transfer(self, claimed: Transaction) -> FundingRecord | None:
        """Credit a transfer into a user's dedicated account once, after verifying it.

        `claimed` is what an event or a listing said; only the verify answer is believed.
        None when it is not a transfer to an account of ours.
        """
        async with self._db() as session:
            existing = await store.by_reference(session, claimed.reference)
            if existing is not None:
                return existing
            number = claimed.receiver_account
            owner = None if number is None else await store.account_by_number(session, number)
        if owner is None or owner.customer_code != claimed.customer_code:
            logger.warning("transfer %s is not to a dedicated account of ours", claimed.reference)
            return None
        found = await self._client.verify(claimed.reference)
        if (
            found is None
            or not found.succeeded
            or found.currency != "NGN"
            or found.domain != self._settings.domain
            or found.receiver_account != owner.account_number
        ):
            logger.warning("transfer %s did not verify; not credited", claimed.reference)
            return None
        return await self._credit_transfer(owner.user_id, found)

    async def _credit_transfer(self, user_id: int, found: Transaction) -> FundingRecord | None:
        now = self._clock.now()
        stated = quote(found.amount, transfer_fee(found.amount), self._settings.fee_bearer)
        try:
            async with self._db.begin() as session:
                user = await users.get(session, user_id)
                if user is None:
                    return None
                funding = await store.insert_funding(
                    session,
                    user_id=user_id,
                    account_id=user.account_id,
                    kind="transfer",
                    reference=found.reference,
                    amount=found.amount,
                    fee=stated.fee,
                    credit_amount=stated.credit,
                    status="credited",
                    paystack_id=found.id,
                    paid_amount=found.amount,
                    paid_fees=found.fees,
                    channel=found.channel,
                    credited_at=now,
                    created_at=now,
                    updated_at=now,
                )
                if funding is None:  # recorded meanwhile
                    return await self._reload(found.reference)
                await self._post_credits(session, [funding], {funding.id: found}, now)
        except IntegrityError:
            return await self._reload(found.reference)
        await self._alert_transfer(funding, now)
        return funding

    async def _alert_transfer(self, funding: FundingRecord, now: datetime) -> None:
        """Money already arrived, so limits cannot refuse it: past them, operators are told."""
        async with self._db() as session:
            today = await store.funded_today(session, funding.user_id, now)
        self._alert_if_unusual(funding)
        if today > self._settings.daily_limit:
            _alert(
                "over_daily_limit",
                "funding_unusual reference=%s user_id=%d today_kobo=%d reason=over_daily_limit",
                funding.reference,
                funding.user_id,
                today,
            )

    # -- refunds and chargebacks -----------------------------------------------------------

    async def reverse(self, reference: str, amount: int) -> FundingRecord | None:
        """Undo a credited funding Paystack refunded in full; anything else goes to review."""
        now = self._clock.now()
        async with self._db() as session:
            funding = await store.by_reference(session, reference)
        if funding is None or funding.status != "credited":
            return funding
        if amount != funding.paid_amount:
            return await self._review_credited(funding, f"partial refund of {amount}", now)
        try:
            async with self._db.begin() as session:
                locked = await users.lock_wallet(session, funding.user_id)
                if locked is None or locked.balance < funding.credit_amount:
                    held = 0 if locked is None else locked.balance
                    reason = f"refunded after being spent: wallet holds {held}"
                    await store.change(
                        session, funding.id, status="review", review_reason=reason, updated_at=now
                    )
                    _alert("review", "funding_review reference=%s reason=%s", reference, reason)
                    return await store.by_reference(session, reference)
                credit_id = await ledger.journal_by_reference(session, journal_reference(reference))
                if credit_id is None:  # pragma: no cover - a credited funding has its journal
                    raise LookupError(reference)
                legs = [
                    ledger.Leg(ledger.AccountRef(acc, acc == funding.account_id), side, amount)
                    for acc, side, amount in await ledger.journal_legs(session, credit_id)
                ]
                await ledger.post(
                    session,
                    kind=ledger.JournalKind.FUNDING_REVERSAL,
                    reference=reversal_reference(reference),
                    legs=mirrored(legs),
                    at=now,
                    memo=f"Paystack refund {reference}"[:255],
                )
                changed = await store.change(
                    session, funding.id, only_if="credited", status="reversed", updated_at=now
                )
        except IntegrityError:
            return await self._reload(reference)
        _alert("reversed", "funding_reversed reference=%s user_id=%d", reference, funding.user_id)
        return changed

    async def _review_credited(
        self, funding: FundingRecord, reason: str, now: datetime
    ) -> FundingRecord:
        _alert("review", "funding_review reference=%s reason=%s", funding.reference, reason)
        async with self._db.begin() as session:
            await store.change(
                session, funding.id, status="review", review_reason=reason, updated_at=now
            )
        return await self._reload(funding.reference)
