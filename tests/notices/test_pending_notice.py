"""A purchase still pending 10 minutes after submit gets ONE "still confirming" SMS.

Sent by the worker's recheck sweep on the shared clock, to the buyer, tied to the purchase;
never twice (not by a second sweep, a second worker or a restarted one), never for a purchase
that settled in time, never when the setting turns it off. On Postgres and SQLite.
"""

from __future__ import annotations

import asyncio

from gateway.clock import FixedClock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.purchases.models import PurchasePolicy
from gateway.purchases.service import PurchaseService
from gateway.store import outbox, sms_settings
from gateway.vtpass.models import Outcome
from gateway.worker.recheck import notify_long_pending, recheck_delivered
from tests.purchases.conftest import PHONE, electricity, funded_user, vend
from tests.purchases.fakes import FakeVTPass

AFTER_S = PurchasePolicy().pending_notice_s or 0.0


async def pending_purchase(
    service: PurchaseService, key: str = "k1", vtpass: FakeVTPass | None = None
):
    user_id = await funded_user(service, 10_000)
    purchase = (await service.submit(user_id, electricity(1_000), idempotency_key=key)).purchase
    return await vend(service, purchase.id, vtpass or FakeVTPass(Outcome.PENDING))


async def notices(service: PurchaseService, purchase_id: int) -> list[outbox.OutboxMessage]:
    async with service.sessionmaker() as session:
        messages = await outbox.for_purchase(session, purchase_id)
    return [m for m in messages if "still confirming" in m.body]


def test_the_default_is_ten_minutes():
    assert AFTER_S == 600.0


async def test_a_purchase_pending_ten_minutes_gets_one_notice_to_its_buyer(service, clock):
    purchase = await pending_purchase(service)
    assert purchase.status is PurchaseStatus.PENDING

    clock.advance(AFTER_S - 1)
    assert await notify_long_pending(service, clock) == 0
    clock.advance(1)
    assert await notify_long_pending(service, clock) == 1

    (notice,) = await notices(service, purchase.id)
    assert notice.phone == "+2348031234567"
    assert notice.channel == "sms"
    assert notice.body == (
        "PayLink: we are still confirming Ikeja Electric for meter 1111111111111 (N1,100)."
        f" Do not pay again: you will get a receipt or a full refund. Ref {purchase.reference}"
    )
    stored = await service.get(purchase.id)
    assert stored.pending_notice_at == clock.now()


async def test_a_buyer_who_texted_stop_gets_no_notice_and_none_is_owed_later(service, clock):
    purchase = await pending_purchase(service)
    async with service.sessionmaker.begin() as session:
        assert await sms_settings.set_notices(session, purchase.user_id, False, clock.now())

    clock.advance(AFTER_S)
    assert await notify_long_pending(service, clock) == 0
    assert (await service.get(purchase.id)).pending_notice_at == clock.now()  # marked anyway
    async with service.sessionmaker.begin() as session:
        await sms_settings.set_notices(session, purchase.user_id, True, clock.now())
    clock.advance(AFTER_S)
    assert await notify_long_pending(service, clock) == 0
    assert await notices(service, purchase.id) == []


async def test_a_notice_is_never_sent_twice_even_after_a_restart(service, sessionmaker, clock):
    purchase = await pending_purchase(service)
    clock.advance(AFTER_S)
    assert await notify_long_pending(service, clock) == 1

    clock.advance(24 * 3600)
    assert await notify_long_pending(service, clock) == 0
    restarted = PurchaseService(sessionmaker, clock, worker_id="after-restart")
    assert await notify_long_pending(restarted, clock) == 0

    assert len(await notices(service, purchase.id)) == 1


async def test_two_workers_sweeping_at_once_send_one_notice(service, sessionmaker, clock):
    purchases = [await pending_purchase(service, f"k{i}") for i in range(3)]
    clock.advance(AFTER_S)
    other = PurchaseService(sessionmaker, clock, worker_id="other")

    counts = await asyncio.gather(
        notify_long_pending(service, clock), notify_long_pending(other, clock)
    )

    assert sum(counts) == 3
    assert [len(await notices(service, p.id)) for p in purchases] == [1, 1, 1]


async def test_a_purchase_settled_in_time_gets_its_receipt_and_no_notice(service, clock):
    vtpass = FakeVTPass(pay=Outcome.PENDING, requery=Outcome.FAILED)
    purchase = await pending_purchase(service, vtpass=vtpass)
    settled = await service.requery(purchase.id, vtpass)
    assert settled.status is PurchaseStatus.FAILED

    clock.advance(AFTER_S)
    assert await notify_long_pending(service, clock) == 0
    assert await notices(service, purchase.id) == []
    async with service.sessionmaker() as session:
        (receipt,) = await outbox.for_purchase(session, purchase.id)
    assert "refunded" in receipt.body


async def test_an_initiated_purchase_the_worker_never_reached_also_gets_one(service, clock):
    user_id = await funded_user(service, 10_000)
    purchase = (await service.submit(user_id, electricity(1_000), idempotency_key="k")).purchase
    assert purchase.status is PurchaseStatus.INITIATED

    clock.advance(AFTER_S)

    assert await notify_long_pending(service, clock) == 1
    assert len(await notices(service, purchase.id)) == 1


async def test_the_recheck_sweep_sends_the_notice(service, clock):
    purchase = await pending_purchase(service)
    clock.advance(AFTER_S)

    assert await recheck_delivered(service, FakeVTPass(), clock) == 1

    assert len(await notices(service, purchase.id)) == 1


async def test_notices_can_be_turned_off(sessionmaker, clock: FixedClock):
    silent = PurchaseService(
        sessionmaker, clock, worker_id="w", policy=PurchasePolicy(pending_notice_s=None)
    )
    purchase = await pending_purchase(silent)
    clock.advance(7 * 24 * 3600)

    assert await notify_long_pending(silent, clock) == 0
    assert await notices(silent, purchase.id) == []


async def test_the_notice_goes_to_the_buyer_not_the_recipient(service, clock):
    user_id = await funded_user(service, 10_000, phone="09087654321")
    order = electricity(1_000)
    purchase = (await service.submit(user_id, order, idempotency_key="gift")).purchase
    await vend(service, purchase.id, FakeVTPass(Outcome.PENDING))
    clock.advance(AFTER_S)

    await notify_long_pending(service, clock)

    (notice,) = await notices(service, purchase.id)
    assert notice.phone == "+2349087654321"
    assert order.phone == PHONE  # the order names another number
