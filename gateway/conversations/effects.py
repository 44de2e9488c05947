"""Running the engine's effects: each one becomes at most one result event (engine contract).

Why one place: every infrastructure failure must turn into `ServiceUnavailable` (the engine
then ends politely) and every domain refusal into the event the flows expect, whatever effect
raised it. PINs pass through here and are never logged; phones are logged masked.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace

from gateway.clock import Clock
from gateway.conversations.failures import masked_traceback
from gateway.conversations.lines import Lines
from gateway.conversations.pin_staging import PinStaging
from gateway.conversations.services import CallerInfo, Services
from gateway.errors import Forbidden, GatewayError, InvalidInput, UpstreamError, UpstreamRejected
from gateway.flows.model import (
    AccountStatus,
    BalanceLoaded,
    ChangePin,
    CheckPin,
    CustomerInvalid,
    CustomerVerified,
    Effect,
    Event,
    FundingAccount,
    FundingAccountLoaded,
    HistoryLoaded,
    LoadBalance,
    LoadFundingAccount,
    LoadHistory,
    Order,
    PinAccepted,
    PinLocked,
    PinMismatch,
    PinRejected,
    PinSet,
    PurchaseAccepted,
    PurchaseRefused,
    RefusalReason,
    RegisterUser,
    ServiceUnavailable,
    SetSmsPurchases,
    SmsPurchasesSet,
    StagePin,
    SubmitPurchase,
    VerifyCustomer,
)
from gateway.logs import mask_msisdn
from gateway.purchases.models import DailyLimitExceeded, InsufficientFunds
from gateway.purchases.opt_in import SmsPurchasesOff
from gateway.purchases.pricing import PriceMismatch, VerificationRequired
from gateway.security.pins import PinCheck, PinRefused, PinStatus, WeakPin
from gateway.vtpass.models import CustomerInfo

logger = logging.getLogger(__name__)


def verification_event(info: CustomerInfo) -> CustomerVerified | CustomerInvalid:
    """The event the flows expect for a VTPass merchant-verify answer (their own terms)."""
    if not info.valid:
        return CustomerInvalid(info.error)
    return CustomerVerified(
        name=info.customer_name,
        address=info.address,
        current_bouquet=info.current_bouquet,
        current_bouquet_code=info.current_bouquet_code,
        renewal_amount=info.renewal_amount,
        min_amount=info.min_amount,
    )


@dataclass(slots=True)
class HopContext:
    """What the effects of one hop share; `user_id` and `pin_ok` are saved in the record."""

    channel: str
    session_id: str
    phone: str
    seed: str
    user_id: int | None
    pin_ok: bool
    deadline: float  # event-loop time by which a verify must have answered
    recent: tuple[Order, ...] = ()  # the caller's "buy again" orders, newest first

    @property
    def masked(self) -> str:
        return mask_msisdn(self.phone)


class EffectRunner:
    """`run(effect, ctx)` -> the event to feed back, or None (`StagePin`)."""

    def __init__(self, services: Services, staging: PinStaging, lines: Lines, clock: Clock) -> None:
        self._services = services
        self._staging = staging
        self._lines = lines
        self._clock = clock
        self._making: set[asyncio.Task[FundingAccount]] = set()  # accounts being made

    async def run(self, effect: Effect, ctx: HopContext) -> Event | None:
        try:
            return await self._run(effect, ctx)
        except Exception as exc:
            logger.error(
                "%s failed in session %s (phone %s)\n%s",
                type(effect).__name__,
                ctx.session_id,
                ctx.masked,
                masked_traceback(exc),
            )
            return ServiceUnavailable()

    async def _run(self, effect: Effect, ctx: HopContext) -> Event | None:
        if isinstance(effect, StagePin):
            await self._staging.stage(ctx.channel, ctx.session_id, ctx.seed, effect.pin)
            return None
        if isinstance(effect, VerifyCustomer):
            return await self._verify(effect, ctx)
        if isinstance(effect, RegisterUser):
            return await self._register(effect, ctx)
        user_id = await self._user_id(ctx)
        if user_id is None:
            logger.warning(
                "%s for an unknown user in session %s", type(effect).__name__, ctx.session_id
            )
            return ServiceUnavailable()
        if isinstance(effect, SubmitPurchase):
            return await self._submit(effect, user_id, ctx)
        if isinstance(effect, LoadBalance):
            return BalanceLoaded(await self._services.balance(user_id))
        if isinstance(effect, LoadHistory):
            return HistoryLoaded(await self._services.history(user_id, effect.limit))
        if isinstance(effect, CheckPin):
            event = self._pin_event(await self._services.check_pin(user_id, effect.pin))
            ctx.pin_ok = isinstance(event, PinAccepted)
            return event
        if isinstance(effect, SetSmsPurchases):
            return await self._set_sms_purchases(effect, user_id, ctx)
        if isinstance(effect, LoadFundingAccount):
            return FundingAccountLoaded(await self._funding_account(user_id, ctx))
        return await self._change_pin(effect, user_id, ctx)

    async def _set_sms_purchases(
        self, effect: SetSmsPurchases, user_id: int, ctx: HopContext
    ) -> Event:
        """The PIN checked (a wrong one counts), then the setting saved."""
        event = self._pin_event(await self._services.check_pin(user_id, effect.pin))
        if not isinstance(event, PinAccepted):
            return event
        await self._services.set_sms_purchases(user_id, effect.enabled)
        logger.info(
            "SMS purchases turned %s in session %s (phone %s)",
            "on" if effect.enabled else "off",
            ctx.session_id,
            ctx.masked,
        )
        return SmsPurchasesSet(effect.enabled)

    async def _funding_account(self, user_id: int, ctx: HopContext) -> FundingAccount:
        """The account within the reply budget, else "pending". The first ask makes it at
        Paystack; that call is never cut short (a customer made but not recorded would be made
        twice), so past the budget it finishes in the background and the caller asks again.
        Every such call is tracked until done, so `drain()` can wait for it at shutdown."""
        making = asyncio.ensure_future(self._services.funding_account(user_id))
        self._making.add(making)
        making.add_done_callback(self._making.discard)
        remaining = ctx.deadline - asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(max(remaining, 0.05)):
                return await asyncio.shield(making)
        except TimeoutError:
            logger.warning("account number over the reply budget in session %s", ctx.session_id)
            making.add_done_callback(_log_unmade)
            return FundingAccount(AccountStatus.PENDING)
        except asyncio.CancelledError:  # the hop gave up; the account is still made
            making.add_done_callback(_log_unmade)
            raise

    async def drain(self) -> None:
        """Wait for the accounts still being made (shutdown: before the database closes)."""
        while self._making:
            await asyncio.gather(*self._making, return_exceptions=True)

    async def _user_id(self, ctx: HopContext) -> int | None:
        if ctx.user_id is None:  # the record caches it; only the first need looks it up
            ctx.user_id = (await self._services.caller(ctx.phone)).user_id
        return ctx.user_id

    async def _verify(self, effect: VerifyCustomer, ctx: HopContext) -> Event:
        remaining = ctx.deadline - asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(max(remaining, 0.05)):
                # the caller: a renewal amount the verify returns is kept for their renewal
                user_id = await self._user_id(ctx)
                info = await self._services.verify(
                    effect.service_id, effect.customer_ref, effect.verify_type, user_id=user_id
                )
        except TimeoutError:
            logger.warning(
                "verify %s over the reply budget in session %s", effect.service_id, ctx.session_id
            )
            return ServiceUnavailable()
        except UpstreamRejected as exc:
            return CustomerInvalid(str(exc))
        except UpstreamError as exc:
            logger.warning(
                "verify %s failed in session %s: %s", effect.service_id, ctx.session_id, exc.code
            )
            return ServiceUnavailable()
        return verification_event(info)

    def _pin_event(self, check: PinCheck) -> Event:
        if check.ok:
            return PinAccepted()
        if check.status is PinStatus.WRONG:
            return PinRejected(check.attempts_left)
        if check.status is PinStatus.LOCKED:  # including the miss that just set the lock
            return PinLocked(None if check.reset_required else check.locked_until)
        return ServiceUnavailable()  # NOT_SET: the engine believed the caller had a PIN

    async def _submit(self, effect: SubmitPurchase, user_id: int, ctx: HopContext) -> Event:
        try:
            reference = await self._services.buy(
                user_id,
                effect.order,
                effect.pin,
                effect.intent_id,
                effect.total,
                channel=ctx.channel,
            )
        except PinRefused as refused:
            return self._pin_event(refused.check)
        except InsufficientFunds:
            balance = await self._services.balance(user_id)
            return PurchaseRefused(RefusalReason.INSUFFICIENT_FUNDS, balance)
        except DailyLimitExceeded:
            return PurchaseRefused(RefusalReason.DAILY_LIMIT)
        except SmsPurchasesOff:
            return PurchaseRefused(RefusalReason.SMS_OFF)
        except Forbidden:
            return PurchaseRefused(RefusalReason.ACCOUNT_BLOCKED)
        except PriceMismatch as exc:  # the catalogue or a fee changed after the confirm screen
            price = await self._total_now(user_id, replace(effect.order, amount=exc.price), ctx)
            return PurchaseRefused(RefusalReason.PRICE_CHANGED, price=price)
        except VerificationRequired:  # the renewal's verify expired meanwhile
            return PurchaseRefused(RefusalReason.VERIFY_AGAIN)
        except InvalidInput:
            return PurchaseRefused(RefusalReason.INVALID)
        except GatewayError as exc:  # Conflict, NotFound: nothing moved
            logger.warning("purchase refused in session %s: %s", ctx.session_id, exc.code)
            return PurchaseRefused(RefusalReason.UNAVAILABLE)
        logger.info(
            "purchase %s accepted in session %s (phone %s)",
            effect.intent_id,
            ctx.session_id,
            ctx.masked,
        )
        await self._remember(ctx, effect.order)
        return PurchaseAccepted(reference)

    async def _total_now(self, user_id: int, order: Order, ctx: HopContext) -> int | None:
        """What `order` (at the server's unit price) costs in all now, fee included, to show
        with the refusal; None if it cannot be priced (the refusal is shown without it)."""
        try:
            return await self._services.total(user_id, order, channel=ctx.channel)
        except GatewayError:
            return None

    async def _remember(self, ctx: HopContext, order: Order | None) -> None:
        """Keep the line's cached caller right. Never fails the purchase: should Redis refuse,
        "buy again" lags one purchase until the line's record expires."""
        assert ctx.user_id is not None  # noqa: S101 - set before any purchase or PIN is saved
        try:
            if order is None:
                await self._lines.remember(ctx.channel, ctx.phone, CallerInfo(ctx.user_id, True))
            else:
                await self._lines.bought(ctx.channel, ctx.phone)
        except Exception as exc:
            logger.warning(
                "could not update the cached caller for session %s: %s",
                ctx.session_id,
                type(exc).__name__,
            )

    async def _register(self, effect: RegisterUser, ctx: HopContext) -> Event:
        if not await self._staging.matches(ctx.channel, ctx.session_id, ctx.seed, effect.pin):
            return PinMismatch()
        user_id, had_pin = await self._services.register(effect.phone)
        ctx.user_id = user_id
        if had_pin:  # set elsewhere meanwhile: a first-contact flow must not replace it
            logger.warning("PIN set-up for a user who has one, session %s", ctx.session_id)
            return ServiceUnavailable()
        event = await self._save_pin(user_id, effect.pin, ctx)
        if isinstance(event, PinSet):
            await self._remember(ctx, None)
        return event

    async def _change_pin(self, effect: ChangePin, user_id: int, ctx: HopContext) -> Event:
        if not ctx.pin_ok:
            logger.warning("PIN change without a checked PIN in session %s", ctx.session_id)
            return ServiceUnavailable()
        if not await self._staging.matches(ctx.channel, ctx.session_id, ctx.seed, effect.pin):
            return PinMismatch()
        event = await self._save_pin(user_id, effect.pin, ctx)
        ctx.pin_ok = False  # another change needs the (new) PIN again
        return event

    async def _save_pin(self, user_id: int, pin: str, ctx: HopContext) -> Event:
        try:
            await self._services.set_pin(user_id, pin)
        except WeakPin:  # the flows refuse the same PINs first; only a rule drift gets here
            return PinMismatch()
        await self._staging.drop(ctx.channel, ctx.session_id)
        return PinSet()


def _log_unmade(task: asyncio.Task[FundingAccount]) -> None:
    """A failure nobody awaited (the hop answered "pending" or gave up): logged, masked."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.error("account number not made: %s", masked_traceback(exc))
