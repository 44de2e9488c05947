"""Service fixtures: a PurchaseService with a fixed Lagos clock, and helpers.

`run_due` and `vend` drive purchases the way the worker does (`claim_batch`, then
`vend_claimed` or `requery`), so no test exercises a path the worker never takes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import FixedClock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.purchases.models import PurchaseOrder, VendingGateway
from gateway.purchases.reconcile import ReconcileReport, reconcile_database
from gateway.purchases.service import PurchaseService
from gateway.store.purchases import PurchaseRecord

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


async def run_due(service: PurchaseService, gateway: VendingGateway) -> dict[int, PurchaseRecord]:
    """One pass of the worker's own path (`Worker.run_due`): claim a batch of due purchases,
    send the one `/pay` of each initiated one and requery each pending one, concurrently."""
    due = await service.claim_batch()
    done = await asyncio.gather(
        *(
            service.vend_claimed(purchase, gateway)
            if was is PurchaseStatus.INITIATED
            else service.requery(purchase.id, gateway)
            for purchase, was in due
        )
    )
    return {record.id: record for record in done}


async def vend(
    service: PurchaseService, purchase_id: int, gateway: VendingGateway
) -> PurchaseRecord:
    """The purchase after one worker pass (`run_due`): as it stands if it was not due."""
    done = await run_due(service, gateway)
    return done[purchase_id] if purchase_id in done else await service.get(purchase_id)
