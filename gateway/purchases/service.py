"""The purchase service: quote, submit, vend, requery, settle, credit. Every kobo moves here.

Each method is one short DB transaction (or two around a VTPass call, never one held open
across it). Exactly-once comes from the database, not from luck: the wallet row lock orders a
user's submits, `UNIQUE (user_id, idempotency_key)` and `UNIQUE journals.reference` refuse
duplicates, and status changes are compare-and-set (see `gateway.store.purchases`).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import LAGOS, Clock
from gateway.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    UpstreamError,
    UpstreamUnavailable,
)
from gateway.group_commit import GroupCommit
from gateway.money import Kobo, format_rich, naira_to_kobo
from gateway.phones import normalize_phone, normalize_recipient, to_local
from gateway.purchases import postings
from gateway.purchases.models import (
    Credit,
    DailyLimitExceeded,
    IdempotencyKeyReused,
    InsufficientFunds,
    PurchaseOrder,
    PurchasePolicy,
    Submission,
    VendingGateway,
)
from gateway.purchases.ordering import OrderPricer
from gateway.purchases.pricing import (
    PriceMismatch,
    PricingRule,
    Quote,
    money_detail,
    quote,
    select_rule,
)
from gateway.purchases.products import billers_code
from gateway.purchases.receipts import facts_of, render_receipt
from gateway.purchases.references import new_reference, normalize_reference
from gateway.purchases.statuses import (
    Action,
    PurchaseStatus,
    plan_settlement,
    requery_delay_s,
)
from gateway.security.pins import PinRefused, PinService
from gateway.store import ledger, outbox, users
from gateway.store import pricing as pricing_store
from gateway.store import purchases as store
from gateway.store.purchases import PurchaseRecord
from gateway.store.tables import CHANNELS
from gateway.vtpass.models import Outcome, PayRequest, PayResult
from gateway.vtpass.request_ids import new_request_id, request_id_date_is_today

logger = logging.getLogger(__name__)

__all__ = [
    "Credit",
    "DailyLimitExceeded",
    "InsufficientFunds",
    "PricedOrder",
    "PurchaseOrder",
    "PurchasePolicy",
    "PurchaseService",
    "Submission",
    "VendingGateway",
    "pay_request",
    "scrub",
    "total_changed",
]

# compared after lower-casing and turning "_" into "-"
_SECRET_KEYS = frozenset(
    {
        "api-key",
        "apikey",
        "secret-key",
        "secretkey",
        "public-key",
        "publickey",
        "authorization",
        "password",
        "basic-pass",
        "token-secret",
    }
)


def scrub(value: Any) -> Any:
    """A JSON value with credential-looking keys removed, for the audit trail."""
    if isinstance(value, Mapping):
        return {
            str(k): scrub(v)
            for k, v in value.items()
            if str(k).lower().replace("_", "-") not in _SECRET_KEYS
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _describe(result: PayResult) -> dict[str, Any]:
    summary = {
        "outcome": str(result.outcome),
        "code": result.code,
        "description": result.description,
        "reason": result.reason,
        "status": result.status,
        "transaction_id": result.transaction_id,
    }
    return {**summary, "body": scrub(dict(result.raw))}


def pay_request(purchase: PurchaseRecord) -> PayRequest:
    """The `/pay` call for a purchase, always with its stored request_id."""
    options = dict(purchase.options)
    subscription_type = options.pop("subscription_type", None)
    phone = to_local(purchase.phone)
    return PayRequest(
        request_id=purchase.request_id,
        service_id=purchase.service_id,
        phone=phone,
        amount=Kobo(purchase.unit_amount),
        # VTPass wants a billersCode for data (011 without one): the recipient's phone
        customer_ref=billers_code(
            purchase.category, purchase.service_id, purchase.customer_ref, phone
        ),
        variation_code=purchase.variation_code,
        subscription_type=subscription_type,
        quantity=purchase.quantity if purchase.quantity > 1 else None,
        extra=options,
    )


class PurchaseService:
    """Quote, submit, vend, requery and settle purchases; credit wallets."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        policy: PurchasePolicy | None = None,
        worker_id: str | None = None,
        on_submitted: Callable[[PurchaseRecord], Awaitable[None]] | None = None,
        pricer: OrderPricer | None = None,
        sandbox_numbers: bool = False,
        pins: PinService | None = None,
    ) -> None:
        """Wire the service to its database, clock and (optionally) a submit hook.

        Args:
            pricer: when given (the app always gives one), every submitted order is re-priced
                by the server and refused if its amount is not the server's price.
            on_submitted: awaited after a new purchase commits (not for a replayed key); the
                app wires the worker's wake-up here so every channel's purchase is vended at
                once. Its failure is logged, never raised: the worker's sweep is the backstop.
            sandbox_numbers: recipients may be VTPass's sandbox scenario numbers (never live).
            pins: checks the PIN of `buy` (the app always gives one).
        """
        self._db = sessionmaker
        self._on_submitted = on_submitted
        self.pricer = pricer
        self.pins = pins
        self.sandbox_numbers = sandbox_numbers
        self._clock = clock
        self.policy = policy or PurchasePolicy()
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self._system: ledger.SystemAccounts | None = None
        self._rules: tuple[float, list[PricingRule]] | None = None
        # concurrent submits and settlements share transactions (see group_commit)
        self.submit_batches = GroupCommit(self._submit_batch, name="submit", max_batch=64)
        self.settle_batches = GroupCommit(self._settle_batch, name="settle", max_batch=128)

    async def drain(self) -> None:
        """Wait for submits and settlements already queued or running (shutdown)."""
        await self.submit_batches.drain()
        await self.settle_batches.drain()

    # -- reading -----------------------------------------------------------------------------

    async def _system_accounts(self, session: AsyncSession) -> ledger.SystemAccounts:
        if self._system is None:
            self._system = await ledger.load_system_accounts(session)
        return self._system

    async def get(self, purchase_id: int) -> PurchaseRecord:
        """Raises `NotFound` for an unknown id."""
        async with self._db() as session:
            found = await store.get(session, purchase_id)
        if found is None:
            raise NotFound(f"no purchase {purchase_id}")
        return found

    async def find(self, id_or_reference: str) -> PurchaseRecord:
        """A purchase by its id (digits) or its customer reference (`PL-…`, any case).

        Raises `NotFound` for neither.
        """
        if id_or_reference.isdigit():
            return await self.get(int(id_or_reference))
        reference = normalize_reference(id_or_reference)
        found = None
        if reference is not None:
            async with self._db() as session:
                found = await store.get_by_reference(session, reference)
        if found is None:
            raise NotFound(f"no purchase {id_or_reference}")
        return found

    async def wallet_balance(self, phone: str) -> int:
        """A wallet's balance in kobo (0 for an unknown phone)."""
        async with self._db() as session:
            user = await users.find_by_phone(session, normalize_phone(phone))
            return 0 if user is None else await ledger.balance(session, user.account_id)

    async def statement(self, phone: str, limit: int = 50) -> list[ledger.StatementLine]:
        async with self._db() as session:
            user = await users.find_by_phone(session, normalize_phone(phone))
            return [] if user is None else await ledger.statement(session, user.account_id, limit)

    # -- pricing -----------------------------------------------------------------------------

    async def pricing_rules(self) -> list[PricingRule]:
        """The active fee rules (cached for `policy.pricing_cache_s`): what submits charge,
        quotes state, the catalogue advertises and USSD confirm screens show."""
        # Rows change rarely; caching them keeps a query out of every submit.
        now = time.monotonic()
        if self._rules is None or now - self._rules[0] > self.policy.pricing_cache_s:
            async with self._db() as session:
                self._rules = (now, await pricing_store.active_rules(session))
        return self._rules[1]

    def forget_pricing(self) -> None:
        """Drop cached pricing rules (after an operator edits them)."""
        self._rules = None

    async def quote(self, category: str, service_id: str, amount: int, quantity: int = 1) -> Quote:
        """Face amount, fee, discount and total for `quantity` units of `amount` kobo.

        Raises:
            InvalidInput: the amount or quantity is out of bounds for the product.
        """
        rule = select_rule(await self.pricing_rules(), category, service_id)
        return quote(rule, amount, quantity)

    async def price_order(self, user_id: int, order: PurchaseOrder) -> PricedOrder:
        """The order as `submit` would charge it: re-priced by the server, its recipient
        checked, and quoted (fee, discount, total). Reads only; nothing is charged.

        Raises:
            InvalidInput (and its pricing subclasses, `MissingField` among them): refused.
        """
        if self.pricer is not None:
            order = await self.pricer.check(user_id, order)
        try:
            phone = normalize_recipient(order.phone, sandbox=self.sandbox_numbers)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        priced = await self.quote(order.category, order.service_id, order.amount, order.quantity)
        return PricedOrder(order, phone, priced)

    # -- submit ------------------------------------------------------------------------------

    async def buy(
        self,
        user_id: int,
        order: PurchaseOrder,
        pin: str,
        *,
        idempotency_key: str,
        expected_total: int | None = None,
    ) -> Submission:
        """The one way every channel buys: price, answer a replay, check the PIN, submit.

        The order of checks, the same for every channel: the order is priced (reads only);
        a key that already made a purchase answers with it when the request is the same
        (refused otherwise) without checking the PIN, since no purchase can come of it and
        the caller may read that purchase anyway; only then is the PIN checked (bounded
        across channels by `PinService`), and a purchase is created only after a right PIN.
        So a replay never creates a purchase without a PIN, and a retry after a timeout
        costs no PIN attempt.

        Raises:
            PinRefused: wrong PIN, locked, or no PIN (`exc.check` says which); nothing moved.
            IdempotencyKeyReused, and everything `submit` raises.
        """
        if self.pins is None:  # `purchases_ctx` always wires one
            raise RuntimeError("the purchase service has no PIN service")
        item = await self._prepare(user_id, order, idempotency_key, expected_total)
        async with self._db() as session:
            existing = await store.find_by_key(session, user_id, idempotency_key)
        if existing is not None:
            return _replay(existing, item.request_hash)
        check = await self.pins.check(user_id, pin)
        if not check.ok:
            raise PinRefused(check)
        return await self._submit_item(item)

    async def submit(
        self,
        user_id: int,
        order: PurchaseOrder,
        *,
        idempotency_key: str,
        expected_total: int | None = None,
    ) -> Submission:
        """Debit the wallet into clearing and record the purchase, once per idempotency key.

        No PIN: channels call `buy`; this is for callers that authorised the purchase
        otherwise (tests, benchmarks). `expected_total` is the total the customer was shown
        (a USSD confirm screen): if the server's total differs now (a fee rule changed
        meanwhile), the purchase is refused.

        Raises:
            IdempotencyKeyReused: the key was used before for a different purchase.
            InsufficientFunds, DailyLimitExceeded, InvalidInput: refused; nothing changed.
            PriceMismatch (an InvalidInput): the order's amount is not the server's price, or
                its total is not `expected_total`.
            Forbidden: the account is not active. NotFound: no such user.
        """
        item = await self._prepare(user_id, order, idempotency_key, expected_total)
        return await self._submit_item(item)

    async def _prepare(
        self,
        user_id: int,
        order: PurchaseOrder,
        idempotency_key: str,
        expected_total: int | None,
    ) -> _SubmitItem:
        if order.channel not in CHANNELS:
            raise InvalidInput(f"unknown channel {order.channel!r}")
        if not idempotency_key or len(idempotency_key) > 128:
            raise InvalidInput("an idempotency key of 1 to 128 characters is required")
        order, phone, priced = await self.price_order(user_id, order)
        if expected_total is not None and priced.total != expected_total:
            raise total_changed(order, priced, expected_total)
        request_hash = order.request_hash(phone)
        return _SubmitItem(user_id, order, phone, priced, idempotency_key, request_hash)

    async def _submit_item(self, item: _SubmitItem) -> Submission:
        for attempt in range(_SUBMIT_TRIES):
            try:
                submission = await self.submit_batches(item)
                break
            except IntegrityError:
                # A concurrent submit with the same key inserted first: answer with its
                # purchase. Else a minted reference was taken (rare): nothing was written,
                # so the batch is tried again with new ones.
                async with self._db() as session:
                    existing = await store.find_by_key(session, item.user_id, item.key)
                if existing is not None:
                    return _replay(existing, item.request_hash)
                if attempt + 1 == _SUBMIT_TRIES:
                    raise
        if submission.created and self._on_submitted is not None:
            try:
                await self._on_submitted(submission.purchase)
            except Exception:  # the purchase is committed; the sweep will find it
                logger.exception("wake-up after purchase %s failed", submission.purchase.id)
        return submission

    async def _submit_batch(self, items: Sequence[_SubmitItem]) -> list[Submission | Exception]:
        async with self._db.begin() as session:
            return await self._submit_many(session, items)

    async def _submit_many(
        self, session: AsyncSession, items: Sequence[_SubmitItem]
    ) -> list[Submission | Exception]:
        """Submit many orders in the caller's transaction, each as if it were alone.

        Every wallet involved is locked first (in account order), then idempotency keys and
        the day's spend are read under the locks, so a concurrent submit with one of these
        keys has committed by then. Each order is decided in turn against running balances;
        a refused order is an exception in its slot and writes nothing.
        """
        now = self._clock.now()
        day_start = now.astimezone(LAGOS).replace(hour=0, minute=0, second=0, microsecond=0)
        wallets = await users.lock_wallets(session, {item.user_id for item in items})
        keys = {(item.user_id, item.key) for item in items}
        taken, spent = await store.keys_and_spent(session, keys, day_start)
        balance = {user_id: wallet.balance for user_id, wallet in wallets.items()}
        outcomes: list[Submission | Exception | None] = [None] * len(items)
        accepted: dict[tuple[int, str], int] = {}  # key -> index of the order that took it
        rows: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            wallet = wallets.get(item.user_id)
            pair = (item.user_id, item.key)
            if wallet is None:
                outcomes[index] = NotFound(f"no user {item.user_id}")
            elif pair in taken or pair in accepted:
                continue  # a replay: answered below, once the first purchase is known
            elif wallet.user_status != "active":
                outcomes[index] = Forbidden("this account cannot make purchases")
            elif spent.get(item.user_id, 0) + item.priced.total > self.policy.daily_limit:
                outcomes[index] = DailyLimitExceeded("this purchase would exceed your daily limit")
            elif balance[item.user_id] < item.priced.total:
                outcomes[index] = InsufficientFunds("insufficient wallet balance")
            else:
                spent[item.user_id] = spent.get(item.user_id, 0) + item.priced.total
                balance[item.user_id] -= item.priced.total
                accepted[pair] = index
                rows.append(self._purchase_row(item, wallet.account_id, now))
        created = await store.insert_purchases(session, rows)
        system = await self._system_accounts(session)
        await ledger.post_many(
            session,
            [
                ledger.Posting(
                    ledger.JournalKind.PURCHASE_DEBIT,
                    f"purchase:{purchase.id}:debit",
                    postings.debit(purchase, system),
                    now,
                    purchase_id=purchase.id,
                )
                for purchase in created
            ],
            wallets_locked=True,
        )
        first = dict(zip(accepted.values(), created, strict=True))
        for index, purchase in first.items():
            outcomes[index] = Submission(purchase, created=True)
        for index, item in enumerate(items):
            if outcomes[index] is not None:
                continue
            pair = (item.user_id, item.key)
            earlier = first.get(accepted[pair]) if pair in accepted else None
            if earlier is None:
                earlier = await store.find_by_key(session, item.user_id, item.key)
            outcomes[index] = _replay_outcome(earlier, item.request_hash)
        return [outcome for outcome in outcomes if outcome is not None]

    def _purchase_row(self, item: _SubmitItem, account_id: int, now: datetime) -> dict[str, Any]:
        order, priced = item.order, item.priced
        return {
            "user_id": item.user_id,
            "account_id": account_id,
            "channel": order.channel,
            "category": order.category,
            "service_id": order.service_id,
            "product": (order.product or f"{order.service_id} {order.category}")[:100],
            "customer_ref": order.customer_ref,
            "variation_code": order.variation_code,
            "options": dict(order.options) or None,
            "phone": item.phone,
            "quantity": priced.quantity,
            "face_amount": priced.face,
            "fee": priced.fee,
            "discount": priced.discount,
            "total": priced.total,
            "status": PurchaseStatus.INITIATED.value,
            "request_id": new_request_id(self._clock),  # fixed now, before any /pay
            "reference": new_reference(),  # the customer's, for good
            "idempotency_key": item.key,
            "request_hash": item.request_hash,
            "created_at": now,
            "updated_at": now,
        }

    # -- vend and requery --------------------------------------------------------------------

    async def vend(self, purchase_id: int, gateway: VendingGateway) -> PurchaseRecord:
        """Send `/pay` for an initiated purchase (at most once) and settle the answer.

        A purchase another worker claimed, or that is no longer initiated, is returned as it
        is: no `/pay`. If the request provably never left, the purchase goes back to initiated
        (same request_id) for a later try; any other failure leaves it pending for requery.
        """
        now = self._clock.now()
        lease = now + timedelta(seconds=self.policy.vend_lease_s)
        async with self._db.begin() as session:
            claimed = await store.claim_for_vend(
                session, purchase_id, worker=self.worker_id, now=now, lease_until=lease
            )
            if claimed is not None and not request_id_date_is_today(
                claimed.request_id, self._clock
            ):
                claimed = await self._reissue_request_id(session, claimed, now)
        if claimed is None:
            return await self.get(purchase_id)
        return await self._pay_and_settle(claimed, gateway)

    async def _pay_and_settle(
        self, claimed: PurchaseRecord, gateway: VendingGateway
    ) -> PurchaseRecord:
        request = pay_request(claimed)
        try:
            result = await gateway.pay(request)
        except UpstreamUnavailable as exc:
            return await self._unsent(claimed, request, exc)
        except UpstreamError as exc:
            # It may have reached VTPass: pending, and only a requery may tell.
            result = PayResult(Outcome.PENDING, claimed.request_id, reason=f"{exc.code}: {exc}")
        return await self.settle(claimed.id, result, source="pay", request=asdict(request))

    async def claim_batch(self, limit: int = 100) -> list[tuple[PurchaseRecord, PurchaseStatus]]:
        """Lease due purchases and claim the initiated ones for `/pay` in one transaction.

        The worker's fast path: (purchase as claimed, status it was due in). Hand initiated
        ones to `vend_claimed`, pending ones to `requery`.
        """
        now = self._clock.now()
        lease = now + timedelta(seconds=self.policy.vend_lease_s)
        async with self._db.begin() as session:
            return await store.claim_due_for_vend(
                session, now=now, worker=self.worker_id, lease_until=lease, limit=limit
            )

    async def vend_claimed(
        self, claimed: PurchaseRecord, gateway: VendingGateway
    ) -> PurchaseRecord:
        """Send the one `/pay` of a purchase `claim_batch` claimed for this worker, and settle.

        Same outcomes as `vend`; only the claim happened earlier, in the batch.
        """
        if (
            claimed.vend_claimed_by != self.worker_id
            or claimed.status is not PurchaseStatus.PENDING
        ):
            raise InvalidInput(f"purchase {claimed.id} is not claimed for /pay by this worker")
        if not request_id_date_is_today(claimed.request_id, self._clock):
            async with self._db.begin() as session:
                claimed = await self._reissue_request_id(session, claimed, self._clock.now())
        return await self._pay_and_settle(claimed, gateway)

    async def _reissue_request_id(
        self, session: AsyncSession, claimed: PurchaseRecord, now: datetime
    ) -> PurchaseRecord:
        # Only an initiated purchase gets here, i.e. VTPass provably never took its id; an id
        # dated before today would be refused with 085, and for that same reason the old one
        # can never be accepted later, so a fresh one cannot double-charge.
        fresh = new_request_id(self._clock)
        await store.add_audit(
            session,
            purchase_id=claimed.id,
            at=now,
            op="reissue",
            request={"old_request_id": claimed.request_id, "new_request_id": fresh},
        )
        updated = await store.transition(
            session, claimed.id, {PurchaseStatus.PENDING}, {"request_id": fresh}
        )
        assert updated is not None  # noqa: S101 - we hold the claim in this transaction
        return updated

    async def _unsent(
        self, claimed: PurchaseRecord, request: PayRequest, exc: UpstreamUnavailable
    ) -> PurchaseRecord:
        now = self._clock.now()
        retry_at = now + timedelta(seconds=self._delay(claimed.attempts + 1))
        async with self._db.begin() as session:
            await store.add_audit(
                session,
                purchase_id=claimed.id,
                at=now,
                op="pay",
                outcome="unsent",
                request=asdict(request),
                response={"error": f"{exc.code}: {exc}"},
            )
            await store.release_unsent(
                session, claimed.id, worker=self.worker_id, now=now, retry_at=retry_at
            )
        return await self.get(claimed.id)

    async def requery(self, purchase_id: int, gateway: VendingGateway) -> PurchaseRecord:
        """Ask VTPass about a purchase and settle the answer; never sends `/pay`.

        A pending purchase is leased for the call; a delivered one is asked too, because only
        a requery may confirm a reversal (a webhook's word never moves money). Other
        statuses, or a pending purchase another worker holds, are returned as they are.
        """
        now = self._clock.now()
        lease = now + timedelta(seconds=self.policy.vend_lease_s)
        async with self._db.begin() as session:
            claimed = await store.claim_for_requery(
                session, purchase_id, worker=self.worker_id, now=now, lease_until=lease
            )
        if claimed is None:
            current = await self.get(purchase_id)
            if current.status is not PurchaseStatus.DELIVERED:
                return current
            claimed = current  # settling a reversal is compare-and-set: no lease needed
        try:
            result = await gateway.requery(claimed.request_id)
        except UpstreamError:
            if claimed.status is not PurchaseStatus.PENDING:
                return claimed
            async with self._db.begin() as session:
                await store.release_claim(
                    session,
                    purchase_id,
                    worker=self.worker_id,
                    now=now,
                    retry_at=now + timedelta(seconds=self.policy.requery_base_s),
                )
            return await self.get(purchase_id)
        return await self.settle(
            purchase_id, result, source="requery", request={"request_id": claimed.request_id}
        )

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """The database the service writes to (the worker sends the outbox through it)."""
        return self._db

    async def release_claims(self) -> int:
        """Give up every lease this worker holds (graceful shutdown); returns how many.

        Pending purchases become due for a requery soon; none is ever sent `/pay` again.
        """
        now = self._clock.now()
        requery_at = now + timedelta(seconds=self.policy.requery_base_s)
        async with self._db.begin() as session:
            return await store.release_worker_claims(
                session, worker=self.worker_id, now=now, requery_at=requery_at
            )

    async def extend_leases(self, purchase_ids: Collection[int]) -> int:
        """The worker's heartbeat: keep this worker's leases on these purchases alive for
        another `vend_lease_s`, in one statement; returns how many it still holds."""
        if not purchase_ids:
            return 0
        lease = self._clock.now() + timedelta(seconds=self.policy.vend_lease_s)
        async with self._db.begin() as session:
            return await store.extend_leases(
                session, purchase_ids, worker=self.worker_id, lease_until=lease
            )

    async def claim_due(self, limit: int = 100) -> list[tuple[int, PurchaseStatus]]:
        """Lease due purchases to this worker: initiated ones to vend, pending ones to requery."""
        now = self._clock.now()
        lease = now + timedelta(seconds=self.policy.vend_lease_s)
        async with self._db.begin() as session:
            return await store.claim_due(
                session, now=now, worker=self.worker_id, lease_until=lease, limit=limit
            )

    # -- settle ------------------------------------------------------------------------------

    def _delay(self, attempts: int) -> float:
        return requery_delay_s(
            attempts, base_s=self.policy.requery_base_s, cap_s=self.policy.requery_cap_s
        )

    async def settle(
        self,
        purchase_id: int,
        result: PayResult,
        *,
        source: str = "settle",
        request: Mapping[str, Any] | None = None,
    ) -> PurchaseRecord:
        """Apply one VTPass answer: money moves at most once per purchase, whoever calls.

        Concurrent settlements share a transaction (see `group_commit`); each is decided
        under its purchase's row lock, so two settles of one purchase can never both move
        money, in one batch or in two.

        Raises:
            NotFound: no such purchase.
        """
        return await self.settle_batches(_SettleItem(purchase_id, result, source, request))

    async def _settle_batch(self, items: Sequence[_SettleItem]) -> list[PurchaseRecord | Exception]:
        async with self._db.begin() as session:
            return await self._settle_many(session, items)

    async def _settle_many(
        self, session: AsyncSession, items: Sequence[_SettleItem]
    ) -> list[PurchaseRecord | Exception]:
        now = self._clock.now()
        current = await store.lock_many(session, {item.purchase_id for item in items})
        system = await self._system_accounts(session)
        outcomes: list[PurchaseRecord | Exception] = []
        audits: list[store.AuditEntry] = []
        updates: dict[int, store.RowUpdate] = {}  # one per purchase (see below)
        journals: list[ledger.Posting] = []
        receipts: list[outbox.NewMessage] = []
        for item in items:
            purchase = current.get(item.purchase_id)
            if purchase is None:
                outcomes.append(NotFound(f"no purchase {item.purchase_id}"))
                continue
            audits.append(_audit_entry(item, now))
            action = plan_settlement(purchase.status, item.result.outcome)
            if action is Action.UNSENT and not self._unsent_long_enough(purchase, now):
                action = Action.WAIT
            values = self._settled_values(purchase, action, item.result, now)
            if values is None:  # nothing to do, or another settle got there first
                outcomes.append(purchase)
                continue
            # A second answer for one purchase in this batch merges into its first update:
            # updating a row version this transaction already wrote would make Postgres
            # re-check its foreign keys, locking the wallet out of account order.
            earlier = updates.get(purchase.id)
            updates[purchase.id] = (
                store.RowUpdate(purchase.id, purchase.status, values)
                if earlier is None
                else store.RowUpdate(purchase.id, earlier.was, {**earlier.values, **values})
            )
            settled = replace(purchase, **_record_fields(values))
            current[purchase.id] = settled
            outcomes.append(settled)
            if action is Action.DELIVER and settled.needs_review:
                _alert_amount_mismatch(settled)
            if action in _MONEY_ACTIONS:
                kind, suffix, legs = _MONEY_ACTIONS[action]
                journals.append(
                    ledger.Posting(
                        kind,
                        f"purchase:{purchase.id}:{suffix}",
                        legs(settled, system),
                        now,
                        purchase_id=purchase.id,
                    )
                )
                receipts.append(_receipt(settled, purchase.buyer_phone))
        await store.add_audits(session, audits)
        await store.update_many(session, list(updates.values()))
        await ledger.post_many(session, journals)
        await outbox.enqueue_many(session, receipts, at=now)
        return outcomes

    def _recheck_at(self, now: datetime) -> datetime | None:
        after = self.policy.delivered_recheck_s
        return None if after is None else now + timedelta(seconds=after)

    def _unsent_long_enough(self, purchase: PurchaseRecord, now: datetime) -> bool:
        sent = purchase.pay_sent_at or purchase.created_at
        return (now - sent).total_seconds() >= self.policy.unsent_grace_s

    def _settled_values(
        self, current: PurchaseRecord, action: Action, result: PayResult, now: datetime
    ) -> dict[str, Any] | None:
        """The new column values for `action`, or None if the purchase is not in a status
        the action applies to (a settle that lost a race, or nothing to do)."""
        released = {"vend_claimed_by": None, "vend_claimed_until": None, "updated_at": now}
        attempts = current.attempts + 1
        code = result.code or current.vtpass_code
        if action is Action.NOTHING:
            return None
        if action is Action.REVERSE:
            if current.status is not PurchaseStatus.DELIVERED:
                return None
        elif not current.status.is_open:
            return None
        if action is Action.WAIT:
            age = (now - current.created_at).total_seconds()
            review = (
                attempts >= self.policy.review_after_attempts or age >= self.policy.review_after_s
            )
            return {
                **released,
                "status": PurchaseStatus.PENDING,
                "attempts": attempts,
                "needs_review": review,
                # flagged purchases wait for an operator (or a webhook) instead of the sweep
                "next_requery_at": None
                if review
                else now + timedelta(seconds=self._delay(attempts)),
                "vtpass_code": code,
            }
        if action is Action.UNSENT:
            if current.status is not PurchaseStatus.PENDING:
                return None
            return {
                **released,
                "status": PurchaseStatus.INITIATED,
                "pay_sent_at": None,
                "attempts": attempts,
                "next_requery_at": None,
            }
        final = {
            **released,
            "attempts": attempts,
            "next_requery_at": None,
            "needs_review": False,
            "vtpass_code": code,
            "vtpass_transaction_id": result.transaction_id or current.vtpass_transaction_id,
        }
        if action is Action.DELIVER:
            charged = charged_amount(result)
            return {
                **final,
                "status": PurchaseStatus.DELIVERED,
                "settled_at": now,
                # for a delivered purchase, when the worker's sweep asks once more (reversals)
                "next_requery_at": self._recheck_at(now),
                "token": result.token,
                "units": result.units,
                "pins": list(result.pins) or None,
                "vtpass_amount": charged,
                # VTPass took another figure from our float than the wallet paid: an operator
                # must look (defence in depth behind server-side pricing)
                "needs_review": charged is not None and charged != current.face_amount,
            }
        if action is Action.REFUND:
            reason = result.reason or result.description or str(result.outcome)
            return {
                **final,
                "status": PurchaseStatus.FAILED,
                "settled_at": now,
                "failure_reason": reason[:255],
            }
        # a reversal keeps a delivery's review flag: the mismatch still needs an operator
        return {**final, "status": PurchaseStatus.REVERSED, "needs_review": current.needs_review}

    # -- wallet credit -----------------------------------------------------------------------

    async def credit_wallet(
        self,
        phone: str,
        amount: int,
        reference: str,
        *,
        name: str | None = None,
        actor: str | None = None,
        actor_ip: str | None = None,
    ) -> Credit:
        """Operator credit (funding -> wallet), once per reference; creates unknown users.

        `actor` and `actor_ip` (who credited, from where) are recorded on the journal.

        Raises:
            InvalidInput: a bad phone, amount or reference.
            Conflict: the reference was used for another wallet or amount.
        """
        try:
            msisdn = normalize_phone(phone)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidInput("the amount must be a positive number of kobo")
        if not reference or len(reference) > 120:
            raise InvalidInput("a reference of 1 to 120 characters is required")
        journal_ref = f"credit:{reference}"
        by = (actor, actor_ip)
        try:
            async with self._db.begin() as session:
                return await self._credit(session, msisdn, amount, journal_ref, name, by)
        except IntegrityError:
            # the same reference committed concurrently: report it (or the mismatch)
            async with self._db.begin() as session:
                return await self._credit(session, msisdn, amount, journal_ref, name, by)

    async def _credit(
        self,
        session: AsyncSession,
        phone: str,
        amount: int,
        journal_ref: str,
        name: str | None,
        by: tuple[str | None, str | None],
    ) -> Credit:
        now = self._clock.now()
        user, _ = await users.get_or_create(session, normalize_phone(phone), now=now, name=name)
        system = await self._system_accounts(session)
        existing = await ledger.journal_by_reference(session, journal_ref)
        if existing is not None:
            legs = await ledger.journal_legs(session, existing)
            if (user.account_id, ledger.Side.CREDIT, amount) not in legs:
                raise Conflict(f"reference {journal_ref[7:]!r} was used for another credit")
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
        return Credit(user.id, user.account_id, locked.balance, created)


def charged_amount(result: PayResult) -> int | None:
    """What VTPass reports it charged for the purchase (face, before commission), in kobo.

    `amount` (in `content.transactions`, else top level), else `unit_price × quantity`;
    None when the answer names no figure (e.g. a webhook body without one).
    """
    if result.amount is not None:
        return int(result.amount)
    content = result.raw.get("content")
    txn = content.get("transactions") if isinstance(content, Mapping) else None
    if not isinstance(txn, Mapping):
        return None
    try:
        unit = naira_to_kobo(txn["unit_price"])
        quantity = int(txn.get("quantity") or 1)
    except (KeyError, ValueError, TypeError):
        return None
    return unit * quantity


def _alert_amount_mismatch(purchase: PurchaseRecord) -> None:
    # The operator alert: one ERROR line with a stable event name; ids and amounts only.
    logger.error(
        "purchase_amount_mismatch: purchase %s (request_id %s, %s) delivered with VTPass"
        " charging %s kobo against a face amount of %s kobo; flagged for review",
        purchase.id,
        purchase.request_id,
        purchase.service_id,
        purchase.vtpass_amount,
        purchase.face_amount,
    )


def _replay(existing: PurchaseRecord, request_hash: str) -> Submission:
    if existing.request_hash != request_hash:
        raise IdempotencyKeyReused("this idempotency key was used for a different purchase")
    return Submission(existing, created=False)


def _replay_outcome(existing: PurchaseRecord | None, request_hash: str) -> Submission | Exception:
    if existing is None:  # cannot happen under the wallet lock; fail this order alone
        return Conflict("this idempotency key is being used by another request; retry")
    try:
        return _replay(existing, request_hash)
    except IdempotencyKeyReused as exc:
        return exc


class PricedOrder(NamedTuple):
    """An order as the server prices it: `order` re-priced, `phone` in E.164, `quote` on it."""

    order: PurchaseOrder
    phone: str
    quote: Quote


def total_changed(order: PurchaseOrder, priced: Quote, shown: int) -> PriceMismatch:
    """The refusal for an order whose total is no longer the one the customer was shown."""
    return PriceMismatch(
        f"this now costs {format_rich(priced.total)} in all, not {format_rich(shown)}",
        {
            "price": money_detail(order.amount),
            "quantity": order.quantity,
            "total": money_detail(priced.total),
            "fee": money_detail(priced.fee),
            "sent": money_detail(shown),
        },
    )


_SUBMIT_TRIES = 3  # a batch refused for a reference minted twice is tried again


@dataclass(frozen=True, slots=True)
class _SubmitItem:
    user_id: int
    order: PurchaseOrder
    phone: str
    priced: Quote
    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class _SettleItem:
    purchase_id: int
    result: PayResult
    source: str
    request: Mapping[str, Any] | None


_MONEY_ACTIONS: dict[
    Action,
    tuple[
        ledger.JournalKind,
        str,
        Callable[[PurchaseRecord, ledger.SystemAccounts], list[ledger.Leg]],
    ],
] = {
    Action.DELIVER: (ledger.JournalKind.PURCHASE_DELIVERED, "settle", postings.delivery),
    Action.REFUND: (ledger.JournalKind.PURCHASE_REFUND, "settle", postings.refund),
    Action.REVERSE: (ledger.JournalKind.PURCHASE_REVERSAL, "reversal", postings.reversal),
}


def _audit_entry(item: _SettleItem, now: datetime) -> store.AuditEntry:
    result = item.result
    return store.AuditEntry(
        purchase_id=item.purchase_id,
        at=now,
        op=item.source,
        outcome=str(result.outcome),
        http_status=result.http_status,
        request=scrub(dict(item.request)) if item.request is not None else None,
        response=_describe(result),
    )


def _record_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Column values as `PurchaseRecord` holds them (pins as a tuple)."""
    fields = dict(values)
    if "pins" in fields:
        fields["pins"] = tuple(fields["pins"] or ())
    return fields


def _receipt(purchase: PurchaseRecord, buyer: str | None) -> outbox.NewMessage:
    facts = facts_of(purchase)
    return outbox.NewMessage(
        phone=buyer or purchase.phone,
        body=render_receipt(facts),
        channel="telegram" if purchase.channel == "telegram" else "sms",
        user_id=purchase.user_id,
        purchase_id=purchase.id,
    )
