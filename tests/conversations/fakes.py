"""Hand-written fakes for the coordinator: a catalogue reader and the services port."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gateway.conversations.services import CallerInfo
from gateway.errors import UpstreamUnavailable
from gateway.flows.model import HistoryItem, Order
from gateway.security.pin_lockout import LOCK_DURATION, MAX_ATTEMPTS
from gateway.security.pins import PinCheck, PinRefused, PinStatus
from gateway.vtpass.models import Category, CustomerInfo, Service, Variation
from tests.unit.flows import catalogue_data


class FakeCatalogue:
    """`CachedCatalogue`'s three reads over the flow tests' catalogue, as VTPass models; counts
    calls, can fail."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.fail = False
        self.delay = 0.0

    async def _hit(self, what: str) -> None:
        self.calls[what] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise UpstreamUnavailable("catalogue down")

    async def categories(self) -> list[Category]:
        await self._hit("categories")
        return [Category(c.identifier, c.name) for c in catalogue_data.CATEGORIES]

    async def services(self, category: str) -> list[Service]:
        await self._hit("services")
        return [
            Service(
                s.service_id, s.name, s.category, s.product_type, s.min_amount, s.max_amount, "0 %"
            )
            for s in catalogue_data.CATALOG.services(category)
        ]

    async def variations(self, service_id: str) -> list[Variation]:
        await self._hit("variations")
        return [
            Variation(v.code, v.name, v.amount, v.fixed_price)
            for v in catalogue_data.CATALOG.variations(service_id)
        ]


@dataclass
class FakeServices:
    """The services port in memory: one PIN per user, a wallet, submits by intent id."""

    users: dict[str, int] = field(default_factory=dict)
    pins: dict[int, str] = field(default_factory=dict)
    failures: dict[int, int] = field(default_factory=dict)
    balances: dict[int, int] = field(default_factory=dict)
    submitted: dict[str, Order] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)  # the channel each intent came on
    sms_purchases: dict[int, bool] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    verify_delay: float = 0.0
    broken: set[str] = field(default_factory=set)  # method names that raise
    reset_required: set[int] = field(default_factory=set)  # users locked until a PIN reset

    def _call(self, name: str) -> None:
        self.calls[name] += 1
        if name in self.broken:
            raise RuntimeError(f"{name} is broken")

    def add(self, phone: str, pin: str | None = "2580", balance: int = 0) -> int:
        user_id = len(self.users) + 1
        self.users[phone] = user_id
        if pin is not None:
            self.pins[user_id] = pin
        self.balances[user_id] = balance
        return user_id

    async def caller(self, phone: str) -> CallerInfo:
        self._call("caller")
        user_id = self.users.get(phone)
        return CallerInfo(user_id, user_id in self.pins)

    async def verify(self, service_id, customer_ref, verify_type, *, user_id=None) -> CustomerInfo:
        self._call("verify")
        await asyncio.sleep(self.verify_delay)
        if customer_ref == "1111111111111":
            return CustomerInfo(True, customer_name="TEST METER", address="1 Test Street")
        return CustomerInfo(False, error="wrong meter")

    async def register(self, phone: str) -> tuple[int, bool]:
        self._call("register")
        user_id = self.users.get(phone) or self.add(phone, pin=None)
        return user_id, user_id in self.pins

    async def check_pin(self, user_id: int, pin: str) -> PinCheck:
        self._call("check_pin")
        if user_id in self.reset_required:
            return PinCheck(PinStatus.LOCKED, 0, None, reset_required=True)
        if self.pins.get(user_id) == pin:
            self.failures[user_id] = 0
            return PinCheck(PinStatus.OK, MAX_ATTEMPTS)
        failed = self.failures.get(user_id, 0) + 1
        self.failures[user_id] = failed
        if failed < MAX_ATTEMPTS:
            return PinCheck(PinStatus.WRONG, MAX_ATTEMPTS - failed)
        until = datetime(2026, 11, 27, 12, tzinfo=UTC) + LOCK_DURATION
        return PinCheck(PinStatus.LOCKED, 0, until)  # the miss that locks is answered locked

    async def set_pin(self, user_id: int, pin: str) -> None:
        self._call("set_pin")
        self.pins[user_id] = pin

    async def set_sms_purchases(self, user_id: int, enabled: bool) -> None:
        self._call("set_sms_purchases")
        self.sms_purchases[user_id] = enabled

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
        """The real order of checks: a replayed intent answers without the PIN."""
        if intent_id not in self.submitted:
            check = await self.check_pin(user_id, pin)
            if not check.ok:
                raise PinRefused(check)
        self._call("submit")
        self.submitted.setdefault(intent_id, order)
        self.channels.setdefault(intent_id, channel)
        return "PL-ABCDEFG" + "23456789"[list(self.submitted).index(intent_id) % 8]

    async def total(self, user_id: int, order: Order, *, channel: str) -> int:
        self._call("total")
        return order.total

    async def balance(self, user_id: int) -> int:
        self._call("balance")
        return self.balances.get(user_id, 0)

    async def history(self, user_id: int, limit: int) -> tuple[HistoryItem, ...]:
        self._call("history")
        return ()
