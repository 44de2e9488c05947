"""The simulator's memory: transactions, wallets, pending-resolution timers and callbacks.

All state lives in dicts on one event loop; every check-then-store sequence runs without an
`await` in between, so concurrent `/pay` calls cannot both pass the request_id or duplicate
checks. Settlement (`settle`, `reverse`) is the only way a stored transaction changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar

from gateway.clock import Clock, FixedClock
from gateway.vtpass.simulator.accounts import Accounts, AccountState
from gateway.vtpass.simulator.config import SimulatorConfig
from gateway.vtpass.simulator.envelopes import webhook_body
from gateway.vtpass.simulator.extras import ExtrasMaker
from gateway.vtpass.simulator.fields import JSONObject, text_field
from gateway.vtpass.simulator.plans import PlanBook
from gateway.vtpass.simulator.products import Service, Variation
from gateway.vtpass.simulator.tasks import BackgroundTasks
from gateway.vtpass.simulator.transactions import Scenario, Status, Transaction
from gateway.vtpass.simulator.verify import Verifier
from gateway.vtpass.simulator.webhooks import WebhookSender

_T = TypeVar("_T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
StoreAs = Literal["delivered", "pending", "failed", "none"]

_SCENARIO_STATUS = {
    Scenario.SUCCESS: Status.DELIVERED,
    Scenario.FAILED: Status.FAILED,
    Scenario.PENDING: Status.PENDING,
    Scenario.UNEXPECTED: Status.PENDING,
    Scenario.NO_RESPONSE: Status.PENDING,
    Scenario.TIMEOUT: Status.PENDING,
}


class SimClock:
    """The configured clock, movable through `/__sim/clock`.

    A `FixedClock` is set in place (the test holding it sees the change); any other clock gets
    an offset.
    """

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the simulator clock needs a timezone-aware datetime")
        if isinstance(self._base, FixedClock):
            self._base.set(at)
            self._offset = timedelta(0)
        else:
            self._offset = at - self._base.now()

    def reset(self) -> None:
        """Drop any offset; an injected `FixedClock` stays where its owner put it."""
        self._offset = timedelta(0)


@dataclass(frozen=True, slots=True)
class PricedPay:
    """A `/pay` that passed validation steps 1-9: priced, and its scenario chosen."""

    request_id: str
    service: Service
    variation: Variation | None
    variation_code: str | None
    phone: str
    billers_code: str | None
    subscription_type: str | None
    quantity: int
    unit_price: Decimal
    amount: Decimal
    commission_rate: Decimal
    commission: Decimal
    convenience_fee: Decimal
    total_amount: Decimal
    unique_element: str
    duplicate_key: str | None  # None: the duplicate guard is skipped (a test number)
    scenario: Scenario


@dataclass(frozen=True, slots=True)
class NextPay:
    """A one-shot answer for the next valid `/pay` (`/__sim/next-pay`)."""

    body: JSONObject
    http_status: int
    store_as: StoreAs


class SimulatorState:
    """One simulator's mutable world; reachable from the app through `state_key`."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.clock = SimClock(config.clock)
        self.accounts = Accounts(config.accounts)
        self.plans = PlanBook()
        self._rng = random.Random(config.random_seed)  # noqa: S311 -- fake tokens, not secrets
        self.extras = ExtrasMaker(self._rng, disco_variants=config.disco_variants)
        self.verifier = Verifier(
            self.plans,
            config.commission_rates,
            disco_variants=config.disco_variants,
            wrong_code_as_string=config.wrong_billers_code_as_string,
        )
        self.webhooks = WebhookSender(
            self.clock,
            max_attempts=config.webhook_max_attempts,
            interval_s=config.webhook_interval_s,
            timeout_s=config.webhook_timeout_s,
        )
        self.transactions: dict[str, Transaction] = {}
        self.next_pay: deque[NextPay] = deque()
        self.latency_s = config.latency_s
        self._recent: dict[tuple[str, str, str], datetime] = {}
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._timer_tasks = BackgroundTasks("pending-resolution")
        self._unanswered: set[asyncio.Task[Any]] = set()  # see `outlive_client`
        # `/pay` requests received per request_id, repeats included (a repeat is refused and
        # stores nothing, so only this count can show a client paid twice)
        self.pay_requests: Counter[str] = Counter()
        self._closing = asyncio.Event()
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------

    async def pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the app starts shutting down."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)

    def begin_shutdown(self) -> None:
        self._closing.set()

    async def outlive_client(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run `work` to its end even if the caller is cancelled because its client went away.

        VTPass finishes a payment whose answer nobody is left to read; so must the simulator,
        or a requery after a client's crash could never find the payment. `close` cancels
        whatever is still running.
        """
        task = asyncio.get_running_loop().create_task(work, name="simulator-pay")
        self._unanswered.add(task)
        task.add_done_callback(_forget(self._unanswered))
        return await asyncio.shield(task)

    async def close(self) -> None:
        """Cancel timers and callbacks; later settlements send no webhooks."""
        self._closed = True
        self.webhooks.bind(None)
        unanswered = list(self._unanswered)
        for task in unanswered:
            task.cancel()
        await asyncio.gather(*unanswered, return_exceptions=True)
        await self._timer_tasks.cancel_all()
        await self.webhooks.cancel_all()

    async def reset(self) -> None:
        """Back to the configuration: no transactions, callbacks, overrides or clock offset."""
        await self._timer_tasks.cancel_all()
        self._timers.clear()
        await self.webhooks.reset()
        self.transactions.clear()
        self.pay_requests.clear()
        self._recent.clear()
        self.next_pay.clear()
        self.accounts.reset()
        self.plans.reset()
        self.clock.reset()
        self.latency_s = self.config.latency_s

    async def drain_webhooks(self) -> None:
        """Wait until every callback in flight is acknowledged or has used its attempts."""
        await self.webhooks.drain()

    # -- purchases -------------------------------------------------------------------------

    def is_duplicate(self, account: AccountState, service_id: str, number: str) -> bool:
        """Spec §E step 8: same account, serviceID and number within the duplicate window."""
        seen = self._recent.get((account.config.api_key, service_id, number))
        if seen is None:
            return False
        return self.clock.now() - seen < timedelta(seconds=self.config.duplicate_window_s)

    def record(
        self,
        priced: PricedPay,
        account: AccountState,
        *,
        origin: str,
        status: Status | None = None,
    ) -> Transaction:
        """Store a transaction (debiting the wallet unless it failed) and start its timer."""
        now = self.clock.now()
        final = status if status is not None else _SCENARIO_STATUS[priced.scenario]
        txn = Transaction(
            request_id=priced.request_id,
            account_index=account.index,
            api_key=account.config.api_key,
            service=priced.service,
            variation_code=priced.variation_code,
            variation_name=priced.variation.name if priced.variation else None,
            unique_element=priced.unique_element,
            phone=priced.phone,
            billers_code=priced.billers_code,
            subscription_type=priced.subscription_type,
            quantity=priced.quantity,
            unit_price=priced.unit_price,
            amount=priced.amount,
            commission_rate=priced.commission_rate,
            commission=priced.commission,
            convenience_fee=priced.convenience_fee,
            total_amount=priced.total_amount,
            transaction_id=self._transaction_id(now),
            created_at=now,
            scenario=Scenario.OVERRIDE if status is not None else priced.scenario,
            status=final,
            origin=origin,
            email=account.config.email,
            account_phone=account.config.phone,
        )
        self.transactions[txn.request_id] = txn
        if priced.duplicate_key is not None:
            self._recent[
                (account.config.api_key, priced.service.service_id, priced.duplicate_key)
            ] = now
        if final.charges_wallet:
            account.balance -= txn.total_amount
        if final == Status.DELIVERED:
            self._deliver(txn)
        elif final.is_open:
            self._schedule_resolution(txn)
        return txn

    def find(self, account: AccountState, request_id: str) -> Transaction | None:
        """The account's transaction, with any resolution that fell due applied first."""
        txn = self.transactions.get(request_id)
        if txn is None or txn.account_index != account.index:
            return None
        self.resolve_if_due(txn)
        return txn

    def resolve_if_due(self, txn: Transaction) -> None:
        delay = self.config.pending_resolve_after_s
        if not txn.status.is_open or delay is None:
            return
        if self.clock.now() - txn.created_at >= timedelta(seconds=delay):
            self.settle(txn, Status(self.config.pending_final_status))

    def settle(self, txn: Transaction, status: Status) -> bool:
        """Move an open transaction to a final status; False if it was not open."""
        if not txn.status.is_open or status.is_open:
            return False
        timer = self._timers.pop(txn.request_id, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        txn.status = status
        txn.updated_at = self.clock.now()
        if status == Status.DELIVERED:
            self._deliver(txn)
        else:
            self._credit(txn)
            if status == Status.REVERSED:
                txn.wallet_credit_id = self.extras.digits(8)
        self._notify(txn)
        return True

    def reverse(self, txn: Transaction) -> bool:
        """Reverse a delivered transaction, crediting the wallet once; False otherwise."""
        if txn.status != Status.DELIVERED:
            return False
        txn.status = Status.REVERSED
        txn.updated_at = self.clock.now()
        txn.wallet_credit_id = self.extras.digits(8)
        self._credit(txn)
        self._notify(txn)
        return True

    def count_pay(self, body: Mapping[str, Any] | None) -> None:
        """One more `/pay` naming its `request_id` reached the simulator."""
        named = None if body is None else text_field(body, "request_id")
        if named is not None:
            self.pay_requests[named] += 1

    def take_next_pay(self) -> NextPay | None:
        return self.next_pay.popleft() if self.next_pay else None

    # -- internals -------------------------------------------------------------------------

    def _transaction_id(self, now: datetime) -> str:
        """13-digit epoch milliseconds of creation + 13 random digits (26 in all)."""
        millis = (now - _EPOCH) // timedelta(milliseconds=1)
        return f"{millis:013d}{self.extras.digits(13)}"

    def _deliver(self, txn: Transaction) -> None:
        delivery = self.extras.for_transaction(txn)
        txn.extras = delivery.extras
        txn.purchased_code = delivery.purchased_code

    def _credit(self, txn: Transaction) -> None:
        account = self.accounts.get(txn.api_key)
        if account is not None:
            account.balance += txn.total_amount

    def _schedule_resolution(self, txn: Transaction) -> None:
        delay = self.config.pending_resolve_after_s
        if delay is None or self._closed:
            return
        self._timers[txn.request_id] = self._timer_tasks.spawn(self._resolve_later(txn, delay))

    async def _resolve_later(self, txn: Transaction, delay: float) -> None:
        await asyncio.sleep(delay)
        self._timers.pop(txn.request_id, None)
        self.settle(txn, Status(self.config.pending_final_status))

    def _notify(self, txn: Transaction) -> None:
        account = self.accounts.get(txn.api_key)
        if account is None or not account.callback_url or self._closed:
            return
        body = webhook_body(txn, self.config.reversed_code)
        self.webhooks.send(account.callback_url, body, request_id=txn.request_id)


def _forget(tasks: set[asyncio.Task[Any]]) -> Callable[[asyncio.Task[Any]], None]:
    """A done-callback that drops the task and marks its outcome seen: a caller that went away
    cannot read it, and the one still waiting gets it through `shield` all the same."""

    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled():
            task.exception()

    return done
