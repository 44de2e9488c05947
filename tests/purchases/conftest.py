"""Service fixtures: a PurchaseService on each backend with a fixed Lagos clock, and helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import FixedClock
from gateway.purchases.models import PurchaseOrder
from gateway.purchases.reconcile import ReconcileReport, reconcile_database
from gateway.purchases.service import PurchaseService

START = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)  # 10:00 in Lagos
PHONE = "08031234567"
N = 100  # kobo per naira


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def service(sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock) -> PurchaseService:
    return PurchaseService(sessionmaker, clock, worker_id="test-worker")


def airtime(amount_naira: int = 1_000, phone: str = PHONE) -> PurchaseOrder:
    return PurchaseOrder(
        channel="ussd",
        category="airtime",
        service_id="mtn",
        amount=amount_naira * N,
        phone=phone,
        product="MTN Airtime",
    )


def electricity(amount_naira: int = 5_000) -> PurchaseOrder:
    return PurchaseOrder(
        channel="sms",
        category="electricity-bill",
        service_id="ikeja-electric",
        amount=amount_naira * N,
        phone=PHONE,
        customer_ref="1111111111111",
        variation_code="prepaid",
        product="Ikeja Electric",
    )


async def funded_user(service: PurchaseService, naira: int, phone: str = PHONE) -> int:
    credit = await service.credit_wallet(phone, naira * N, f"seed-{phone}")
    return credit.user_id


async def assert_reconciled(sessionmaker: async_sessionmaker[AsyncSession]) -> ReconcileReport:
    report = await reconcile_database(sessionmaker)
    assert report.ok, report.render()
    return report
