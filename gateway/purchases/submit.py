"""Submit: debit the wallet into clearing and record the purchase, once per idempotency key.

The decisions are pure functions (`check_request`, `admit`, `purchase_row`, `replay`); the
`Submitter` only batches concurrent submits into one transaction (`GroupCommit`): it locks the
wallets, reads keys and the day's spend under the locks, and writes what `admit` accepted.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clock import LAGOS
from gateway.domain.pricing import Quote, money_detail
from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import Conflict, Forbidden, InvalidInput, NotFound
from gateway.group_commit import GroupCommit
from gateway.metrics import PURCHASES
from gateway.money import format_rich
from gateway.purchases import postings
from gateway.purchases.deps import PurchaseDeps
from gateway.purchases.models import (
    DailyLimitExceeded,
    IdempotencyKeyReused,
    InsufficientFunds,
    PurchaseOrder,
    Submission,
)
from gateway.purchases.pricing import PriceMismatch
from gateway.store import ledger, users
from gateway.store import purchases as store
from gateway.store.purchases import PurchaseRecord
from gateway.store.tables import CHANNELS
from gateway.store.users import LockedWallet

logger = logging.getLogger(__name__)

_SUBMIT_TRIES = 3  # a batch refused for a reference minted twice is tried again

KeyPair = tuple[int, str]  # (user_id, idempotency key)


class PricedOrder(NamedTuple):
    """An order as the server prices it: `order` re-priced, `phone` in E.164, `quote` on it."""

    order: PurchaseOrder
    phone: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class SubmitItem:
    """One priced order waiting for its batch."""

    user_id: int
    order: PurchaseOrder
    phone: str
    priced: Quote
    key: str
    request_hash: str

    @property
    def pair(self) -> KeyPair:
        return (self.user_id, self.key)


def check_request(order: PurchaseOrder, idempotency_key: str) -> None:
    """Refuse an unknown channel or an unusable key before anything is priced or read."""
    if order.channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {order.channel!r}")
    if not idempotency_key or len(idempotency_key) > 128:
        raise InvalidInput("an idempotency key of 1 to 128 characters is required")


def submit_item(
    user_id: int, priced: PricedOrder, idempotency_key: str, expected_total: int | None
) -> SubmitItem:
    """The item to submit, or the refusal when the total is not the one the customer saw."""
    order, phone, quote = priced
    if expected_total is not None and quote.total != expected_total:
        raise total_changed(order, quote, expected_total)
    return SubmitItem(user_id, order, phone, quote, idempotency_key, order.request_hash(phone))


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


@dataclass(frozen=True, slots=True)
class Admission:
    """What `admit` decided for a batch, by the items' positions.

    `refused[i]` is the refusal of item i; `accepted[pair]` the position of the one item that
    creates the purchase for that key; any other item is a replay of an earlier purchase.
    """

    refused: dict[int, Exception]
    accepted: dict[KeyPair, int]


def admit(
    items: Sequence[SubmitItem],
    wallets: Mapping[int, LockedWallet],
    taken: Collection[KeyPair],
    spent: Mapping[int, int],
    daily_limit: int,
) -> Admission:
    """Decide each order in turn, as if it were alone, against running balances and spend.

    `wallets` (locked), `taken` (keys already used) and `spent` (today's totals) are read
    under the wallet locks. A refused order changes nothing for the ones after it.
    """
    balance = {user_id: wallet.balance for user_id, wallet in wallets.items()}
    spent = dict(spent)
    refused: dict[int, Exception] = {}
    accepted: dict[KeyPair, int] = {}
    for index, item in enumerate(items):
        wallet = wallets.get(item.user_id)
        total = item.priced.total
        if wallet is None:
            refused[index] = NotFound(f"no user {item.user_id}")
        elif item.pair in taken or item.pair in accepted:
            continue  # a replay: answered once the first purchase is known
        elif wallet.user_status != "active":
            refused[index] = Forbidden("this account cannot make purchases")
        elif spent.get(item.user_id, 0) + total > daily_limit:
            refused[index] = DailyLimitExceeded("this purchase would exceed your daily limit")
        elif balance[item.user_id] < total:
            refused[index] = InsufficientFunds("insufficient wallet balance")
        else:
            spent[item.user_id] = spent.get(item.user_id, 0) + total
            balance[item.user_id] -= total
            accepted[item.pair] = index
    return Admission(refused, accepted)


def purchase_row(
    item: SubmitItem, account_id: int, now: datetime, *, request_id: str, reference: str
) -> dict[str, Any]:
    """The new purchase's columns: initiated, its request_id and customer reference fixed now."""
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
        "request_id": request_id,  # fixed before any /pay
        "reference": reference,  # the customer's, for good
        "idempotency_key": item.key,
        "request_hash": item.request_hash,
        "created_at": now,
        "updated_at": now,
    }


def replay(existing: PurchaseRecord, request_hash: str) -> Submission:
    """The earlier purchase of a reused key, or the refusal if it was for something else."""
    if existing.request_hash != request_hash:
        raise IdempotencyKeyReused("this idempotency key was used for a different purchase")
    return Submission(existing, created=False)


def replay_outcome(existing: PurchaseRecord | None, request_hash: str) -> Submission | Exception:
    """`replay` as a batch slot: the refusal is returned, not raised."""
    if existing is None:  # cannot happen under the wallet lock; fail this order alone
        return Conflict("this idempotency key is being used by another request; retry")
    try:
        return replay(existing, request_hash)
    except IdempotencyKeyReused as exc:
        return exc


class Submitter:
    """Submits priced orders; concurrent submits share one transaction (group commit)."""

    def __init__(
        self,
        deps: PurchaseDeps,
        *,
        new_request_id: Callable[[], str],
        new_reference: Callable[[], str],
        on_submitted: Callable[[PurchaseRecord], Awaitable[None]] | None = None,
    ) -> None:
        self._deps = deps
        self._new_request_id = new_request_id
        self._new_reference = new_reference
        self._on_submitted = on_submitted
        self.batches = GroupCommit(self._batch, name="submit", max_batch=64)

    async def existing(self, item: SubmitItem) -> Submission | None:
        """The purchase an earlier request made with this key (refused if for another order)."""
        async with self._deps.db() as session:
            found = await store.find_by_key(session, item.user_id, item.key)
        return None if found is None else replay(found, item.request_hash)

    async def submit(self, item: SubmitItem) -> Submission:
        """Submit one item in the next batch; a new purchase wakes the worker (best effort)."""
        for attempt in range(_SUBMIT_TRIES):
            try:
                submission = await self.batches(item)
                break
            except IntegrityError:
                # A concurrent submit with the same key inserted first: answer with its
                # purchase. Else a minted reference was taken (rare): nothing was written,
                # so the batch is tried again with new ones.
                earlier = await self.existing(item)
                if earlier is not None:
                    return earlier
                if attempt + 1 == _SUBMIT_TRIES:
                    raise
        if submission.created:
            PURCHASES.labels("initiated", submission.purchase.category).inc()
        if submission.created and self._on_submitted is not None:
            try:
                await self._on_submitted(submission.purchase)
            except Exception:  # the purchase is committed; the sweep will find it
                logger.exception("wake-up after purchase %s failed", submission.purchase.id)
        return submission

    async def _batch(self, items: Sequence[SubmitItem]) -> list[Submission | Exception]:
        async with self._deps.db.begin() as session:
            return await self._submit_many(session, items)

    async def _submit_many(
        self, session: AsyncSession, items: Sequence[SubmitItem]
    ) -> list[Submission | Exception]:
        """Submit many orders in the caller's transaction, each as if it were alone.

        Every wallet involved is locked first (in account order), then idempotency keys and
        the day's spend are read under the locks, so a concurrent submit with one of these
        keys has committed by then; a refused order is an exception in its slot.
        """
        now = self._deps.clock.now()
        day_start = now.astimezone(LAGOS).replace(hour=0, minute=0, second=0, microsecond=0)
        wallets = await users.lock_wallets(session, {item.user_id for item in items})
        taken, spent = await store.keys_and_spent(session, {item.pair for item in items}, day_start)
        admission = admit(items, wallets, taken, spent, self._deps.policy.daily_limit)
        rows = [
            purchase_row(
                items[index],
                wallets[items[index].user_id].account_id,
                now,
                request_id=self._new_request_id(),
                reference=self._new_reference(),
            )
            for index in admission.accepted.values()
        ]
        created = await store.insert_purchases(session, rows)
        system = await self._deps.system_accounts(session)
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
        first = dict(zip(admission.accepted.values(), created, strict=True))
        outcomes: list[Submission | Exception] = []
        for index, item in enumerate(items):
            if index in admission.refused:
                outcomes.append(admission.refused[index])
            elif index in first:
                outcomes.append(Submission(first[index], created=True))
            else:
                accepted = admission.accepted.get(item.pair)
                earlier = first.get(accepted) if accepted is not None else None
                if earlier is None:
                    earlier = await store.find_by_key(session, item.user_id, item.key)
                outcomes.append(replay_outcome(earlier, item.request_hash))
        return outcomes
