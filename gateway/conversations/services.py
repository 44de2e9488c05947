"""What the coordinator needs from the rest of the gateway, as a port and its real adapter.

Why a port: the coordinator's own logic (resent hops, effect rounds, error answers) is tested
with a small stateful fake, while `GatewayServices` wires the real purchase service, PIN
store, users, ledger and VTPass client (exercised end to end through the USSD route).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import NotFound
from gateway.flows.model import AccountStatus, FundingAccount, HistoryItem, Order
from gateway.flows.repeat import as_choice
from gateway.funding_settings import FeeBearer
from gateway.paystack.accounts import DedicatedAccounts
from gateway.paystack.fees import TRANSFER_FEE_CAP
from gateway.paystack.store import AccountRecord
from gateway.phones import Msisdn, normalize_phone, to_local
from gateway.purchases.models import PurchaseOrder
from gateway.purchases.service import PurchaseService
from gateway.security.pins import PinCheck, PinService
from gateway.store import ledger, sms_settings, users
from gateway.store import purchases as purchase_store
from gateway.store.purchases import PurchaseRecord
from gateway.store.tables import User, purchases_table
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.models import CustomerInfo

RECENT_SCAN = 10  # purchases read to find the last three distinct ones for "buy again"
# "buy again" offers what was delivered: a failed or still-open purchase is not a choice to repeat
_AGAIN = (PurchaseStatus.DELIVERED,)


@dataclass(frozen=True, slots=True)
class CallerInfo:
    """Who dialled: their user id (None if unknown), whether they have a PIN, recent orders."""

    user_id: int | None
    has_pin: bool
    recent: tuple[Order, ...] = ()


class Services(Protocol):
    """Everything an effect can do. Domain refusals are the purchase service's exceptions."""

    async def caller(self, phone: str) -> CallerInfo: ...

    async def verify(
        self,
        service_id: str,
        customer_ref: str,
        verify_type: str | None,
        *,
        user_id: int | None = None,
    ) -> CustomerInfo:
        """Ask VTPass; a renewal amount in the answer is kept for `user_id`'s renewal."""
        ...

    async def register(self, phone: str) -> tuple[int, bool]:
        """Get or create the user; (user id, whether they already have a PIN)."""
        ...

    async def check_pin(self, user_id: int, pin: str) -> PinCheck: ...

    async def set_pin(self, user_id: int, pin: str) -> None: ...

    async def set_sms_purchases(self, user_id: int, enabled: bool) -> None:
        """Turn purchases by SMS on or off (the caller checked the PIN)."""
        ...

    async def buy(
        self,
        user_id: int,
        order: Order,
        pin: str,
        intent_id: str,
        total: int | None = None,
        *,
        channel: str,
    ) -> str:
        """`PurchaseService.buy`: the PIN checked, then the purchase recorded once per
        `intent_id` (wallet debited, worker woken) as bought on `channel` (the coordinator's
        profile name); its customer reference. Raises `PinRefused` for a PIN that is not
        right, `PriceMismatch` if its total now is not `total` (the one the caller was shown),
        and the purchase service's refusals."""
        ...

    async def total(self, user_id: int, order: Order, *, channel: str) -> int:
        """What `order` costs in all now on `channel` (server pricing, fee included); nothing
        is charged."""
        ...

    async def balance(self, user_id: int) -> int: ...

    async def history(self, user_id: int, limit: int) -> tuple[HistoryItem, ...]: ...

    async def funding_account(self, user_id: int) -> FundingAccount:
        """The user's own account number for bank transfers, asked for on first call (pending
        until Paystack has made it); UNAVAILABLE where no bank transfers fund wallets."""
        ...


_P = purchases_table.c
_RECENT_COLUMNS = (
    _P.category,
    _P.service_id,
    _P.face_amount,
    _P.quantity,
    _P.phone,
    _P.customer_ref,
    _P.variation_code,
    _P.options,
    _P.product,
)


def _recent_order(
    category: str,
    service_id: str,
    face_amount: int,
    quantity: int,
    phone: str,
    customer_ref: str | None,
    variation_code: str | None,
    options: Mapping[str, str] | None,
    product: str,
) -> Order:
    # a choice, never a price: a plan or renewal is priced again when bought again
    return as_choice(
        Order(
            category=category,
            service_id=service_id,
            amount=face_amount // max(quantity, 1),
            phone=phone,
            customer_ref=customer_ref,
            variation_code=variation_code,
            quantity=quantity,
            subscription_type=(options or {}).get("subscription_type"),
            label=product,
        )
    )


def history_item(purchase: PurchaseRecord) -> HistoryItem:
    return HistoryItem(
        label=purchase.product,
        amount=purchase.total,
        status=str(purchase.status),
        when=purchase.created_at,
        recipient=purchase.customer_ref or to_local(purchase.phone),
        token=purchase.token or ", ".join(purchase.pins) or None,
    )


def funding_account(record: AccountRecord, bearer: FeeBearer) -> FundingAccount:
    """A dedicated account as the flows show it: active only with all three details known."""
    fee_cap = TRANSFER_FEE_CAP if bearer is FeeBearer.CUSTOMER else None
    if record.status != "active" or not (
        record.bank_name and record.account_number and record.account_name
    ):
        return FundingAccount(AccountStatus.PENDING, fee_cap=fee_cap)
    return FundingAccount(
        AccountStatus.ACTIVE,
        bank=record.bank_name,
        number=record.account_number,
        name=record.account_name,
        fee_cap=fee_cap,
    )


def purchase_order(order: Order, channel: str) -> PurchaseOrder:
    """The engine's order in the purchase service's terms (engine contract, point 4)."""
    options = {"subscription_type": order.subscription_type} if order.subscription_type else {}
    return PurchaseOrder(
        channel=channel,
        category=order.category,
        service_id=order.service_id,
        amount=order.amount,
        phone=order.phone,
        customer_ref=order.customer_ref,
        variation_code=order.variation_code,
        quantity=order.quantity,
        product=order.label or None,
        options=options,
    )


class GatewayServices:
    """`Services` over the database, the purchase service, the PIN service and VTPass.

    PIN checks go through the app's one `PinService`, which holds the pepper and bounds
    concurrent checks for every channel. Account numbers come from the Paystack funding
    service `accounts` (None: this app takes no bank transfers).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        db: async_sessionmaker[AsyncSession],
        purchases: PurchaseService,
        vtpass: VTPassClient,
        clock: Clock,
        *,
        pins: PinService,
        accounts: DedicatedAccounts | None = None,
        fee_bearer: FeeBearer = FeeBearer.PAYLINK,
    ) -> None:
        self._engine = engine
        self._db = db
        self._purchases = purchases
        self._vtpass = vtpass
        self._clock = clock
        self._pins = pins
        self._accounts = accounts
        self._fee_bearer = fee_bearer

    async def caller(self, phone: str) -> CallerInfo:
        # Every session's first hop runs this, so it is one narrow query: the user joined to
        # their latest purchases (a user without any gives one row of NULLs on the right).
        query = (
            select(User.id, User.pin_hash.is_not(None), *_RECENT_COLUMNS)
            .outerjoin(purchases_table, and_(_P.user_id == User.id, _P.status.in_(_AGAIN)))
            .where(User.phone == normalize_phone(phone))
            .order_by(_P.created_at.desc(), _P.id.desc())
            .limit(RECENT_SCAN)
        )
        async with self._engine.connect() as connection:  # Core: no ORM session to set up
            rows = (await connection.execute(query)).all()
        if not rows:
            return CallerInfo(None, has_pin=False)
        orders: list[Order] = []
        for row in rows:
            if row[2] is None:
                continue
            order = _recent_order(*row[2:])
            if order not in orders:
                orders.append(order)
        return CallerInfo(int(rows[0][0]), bool(rows[0][1]), tuple(orders[:3]))

    async def verify(
        self,
        service_id: str,
        customer_ref: str,
        verify_type: str | None,
        *,
        user_id: int | None = None,
    ) -> CustomerInfo:
        info = await self._vtpass.verify(service_id, customer_ref, verify_type)
        pricer = self._purchases.pricer
        if user_id is not None and pricer is not None:
            await pricer.remember_verification(user_id, service_id, customer_ref, info)
        return info

    async def register(self, phone: str) -> tuple[int, bool]:
        async with self._db.begin() as session:
            user, _ = await users.get_or_create(
                session, Msisdn(normalize_phone(phone)), now=self._clock.now()
            )
            has_pin = await session.scalar(
                select(User.pin_hash.is_not(None)).where(User.id == user.id)
            )
        return user.id, bool(has_pin)

    async def check_pin(self, user_id: int, pin: str) -> PinCheck:
        return await self._pins.check(user_id, pin)

    async def set_pin(self, user_id: int, pin: str) -> None:
        await self._pins.set(user_id, pin)

    async def set_sms_purchases(self, user_id: int, enabled: bool) -> None:
        async with self._db.begin() as session:
            await sms_settings.set_purchases(session, user_id, enabled, self._clock.now())

    async def buy(
        self,
        user_id: int,
        order: Order,
        pin: str,
        intent_id: str,
        total: int | None = None,
        *,
        channel: str,
    ) -> str:
        submission = await self._purchases.buy(
            user_id,
            purchase_order(order, channel),
            pin,
            idempotency_key=intent_id,
            expected_total=total,
        )
        return submission.purchase.reference

    async def total(self, user_id: int, order: Order, *, channel: str) -> int:
        priced = await self._purchases.price_order(user_id, purchase_order(order, channel))
        return priced.quote.total

    async def balance(self, user_id: int) -> int:
        async with self._db() as session:
            user = await users.get(session, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}")
            return await ledger.balance(session, user.account_id)

    async def history(self, user_id: int, limit: int) -> tuple[HistoryItem, ...]:
        async with self._db() as session:
            found = await purchase_store.list_for_user(session, user_id, limit=limit)
        return tuple(history_item(p) for p in found)

    async def funding_account(self, user_id: int) -> FundingAccount:
        if self._accounts is None:
            return FundingAccount(AccountStatus.UNAVAILABLE)
        return funding_account(await self._accounts.for_user(user_id), self._fee_bearer)
