"""The purchase service: the one front every channel, the worker and the operators call.

Each use case lives in its own module, this class only wires them to one database, clock
and policy: `submit` (buy, submit, admission), `vending` (claim, `/pay`, requery, leases),
`settlement` (answers -> status and money), `credit` (operator credit). Each call is one
short DB transaction (or two around a VTPass call, never one held open across it).
Exactly-once comes from the database, not from luck: the wallet row lock orders a user's
submits, `UNIQUE (user_id, idempotency_key)` and `UNIQUE journals.reference` refuse
duplicates, and status changes are compare-and-set (see `gateway.store.purchases`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.domain.pricing import PricingRule, Quote, quote, select_rule
from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import InvalidInput, NotFound
from gateway.group_commit import GroupCommit
from gateway.phones import normalize_phone, normalize_recipient
from gateway.purchases.credit import WalletCredits
from gateway.purchases.deps import PurchaseDeps
from gateway.purchases.models import (
    Credit,
    PurchaseOrder,
    PurchasePolicy,
    Submission,
    VendingGateway,
)
from gateway.purchases.opt_in import require_opt_in
from gateway.purchases.ordering import OrderPricer
from gateway.purchases.references import new_reference, normalize_reference
from gateway.purchases.settlement import SettleItem, Settlement
from gateway.purchases.submit import (
    PricedOrder,
    SubmitItem,
    Submitter,
    check_request,
    submit_item,
)
from gateway.purchases.vending import Vending
from gateway.security.pins import PinRefused, PinService
from gateway.store import ledger, users
from gateway.store import pricing as pricing_store
from gateway.store import purchases as store
from gateway.store.purchases import PurchaseRecord
from gateway.vtpass.models import PayResult
from gateway.vtpass.request_ids import new_request_id

__all__ = ["PricedOrder", "PurchaseService"]


class PurchaseService:
    """Quote, buy, vend, requery and settle purchases; credit wallets."""

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
        self.pricer = pricer
        self.pins = pins
        self.sandbox_numbers = sandbox_numbers
        self.policy = policy or PurchasePolicy()
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self._deps = PurchaseDeps(sessionmaker, clock, self.policy, self.worker_id)
        self._rules: tuple[float, list[PricingRule]] | None = None
        self._submitter = Submitter(
            self._deps,
            new_request_id=lambda: new_request_id(clock),
            new_reference=new_reference,
            on_submitted=on_submitted,
        )
        self._settlement = Settlement(self._deps)
        self._vending = Vending(self._deps, self._settlement)
        self._credits = WalletCredits(self._deps)

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """The database the service writes to (the worker sends the outbox through it)."""
        return self._deps.db

    @property
    def clock(self) -> Clock:
        return self._deps.clock

    @property
    def submit_batches(self) -> GroupCommit[SubmitItem, Submission]:
        """Concurrent submits share transactions (see `group_commit`)."""
        return self._submitter.batches

    @property
    def settle_batches(self) -> GroupCommit[SettleItem, PurchaseRecord]:
        """Concurrent settlements share transactions (see `group_commit`)."""
        return self._settlement.batches

    async def drain(self) -> None:
        """Wait for submits and settlements already queued or running (shutdown)."""
        await self.submit_batches.drain()
        await self.settle_batches.drain()

    # -- reading -----------------------------------------------------------------------------

    async def get(self, purchase_id: int) -> PurchaseRecord:
        """Raises `NotFound` for an unknown id."""
        return await self._deps.get(purchase_id)

    async def find(self, id_or_reference: str) -> PurchaseRecord:
        """A purchase by its id (digits) or its customer reference (`PL-…`, any case).

        Raises `NotFound` for neither.
        """
        if id_or_reference.isdigit():
            return await self.get(int(id_or_reference))
        reference = normalize_reference(id_or_reference)
        found = None
        if reference is not None:
            async with self._deps.db() as session:
                found = await store.get_by_reference(session, reference)
        if found is None:
            raise NotFound(f"no purchase {id_or_reference}")
        return found

    async def wallet_balance(self, phone: str) -> int:
        """A wallet's balance in kobo (0 for an unknown phone)."""
        async with self._deps.db() as session:
            user = await users.find_by_phone(session, normalize_phone(phone))
            return 0 if user is None else await ledger.balance(session, user.account_id)

    async def statement(self, phone: str, limit: int = 50) -> list[ledger.StatementLine]:
        async with self._deps.db() as session:
            user = await users.find_by_phone(session, normalize_phone(phone))
            return [] if user is None else await ledger.statement(session, user.account_id, limit)

    # -- pricing -----------------------------------------------------------------------------

    async def pricing_rules(self) -> list[PricingRule]:
        """The active fee rules (cached for `policy.pricing_cache_s`): what submits charge,
        quotes state, the catalogue advertises and USSD confirm screens show."""
        # Rows change rarely; caching them keeps a query out of every submit.
        now = time.monotonic()
        if self._rules is None or now - self._rules[0] > self.policy.pricing_cache_s:
            async with self._deps.db() as session:
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
            SmsPurchasesOff: bought by SMS before the owner turned SMS purchases on (checked
                before the PIN, so it costs no attempt).
            IdempotencyKeyReused, and everything `submit` raises.
        """
        if self.pins is None:  # `purchases_ctx` always wires one
            raise RuntimeError("the purchase service has no PIN service")
        item = await self._prepare(user_id, order, idempotency_key, expected_total)
        existing = await self._submitter.existing(item)
        if existing is not None:
            return existing
        await require_opt_in(self._deps.db, user_id, order.channel)  # SMS: before any PIN try
        check = await self.pins.check(user_id, pin)
        if not check.ok:
            raise PinRefused(check)
        return await self._submitter.submit(item)

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
        return await self._submitter.submit(item)

    async def _prepare(
        self,
        user_id: int,
        order: PurchaseOrder,
        idempotency_key: str,
        expected_total: int | None,
    ) -> SubmitItem:
        check_request(order, idempotency_key)
        priced = await self.price_order(user_id, order)
        return submit_item(user_id, priced, idempotency_key, expected_total)

    # -- vend, requery, leases (the worker) -----------------------------------------------------

    async def claim_batch(self, limit: int = 100) -> list[tuple[PurchaseRecord, PurchaseStatus]]:
        """Lease due purchases and claim the initiated ones for `/pay` in one transaction.

        The worker's path: (purchase as claimed, status it was due in). Hand initiated ones
        to `vend_claimed`, pending ones to `requery`.
        """
        return await self._vending.claim_batch(limit)

    async def vend_claimed(
        self, claimed: PurchaseRecord, gateway: VendingGateway
    ) -> PurchaseRecord:
        """Send the one `/pay` of a purchase `claim_batch` claimed for this worker, and settle.

        If the request provably never left, the purchase goes back to initiated (same
        request_id) for a later try; any other failure leaves it pending for requery.
        """
        return await self._vending.vend_claimed(claimed, gateway)

    async def requery(self, purchase_id: int, gateway: VendingGateway) -> PurchaseRecord:
        """Ask VTPass about a purchase and settle the answer; never sends `/pay`."""
        return await self._vending.requery(purchase_id, gateway)

    async def release_claims(self) -> int:
        """Give up every lease this worker holds (graceful shutdown); returns how many."""
        return await self._vending.release_claims()

    async def extend_leases(self, purchase_ids: Collection[int]) -> int:
        """The worker's heartbeat; returns how many of these leases it still holds."""
        return await self._vending.extend_leases(purchase_ids)

    # -- settle ------------------------------------------------------------------------------

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
        return await self._settlement.settle(purchase_id, result, source=source, request=request)

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
        return await self._credits.credit(
            phone, amount, reference, name=name, actor=actor, actor_ip=actor_ip
        )
