"""The recheck sweep: post-delivery checks, and the one notice of a purchase pending for long.

VTPass may reverse a delivered transaction later; its webhook normally tells us, but a webhook
can be lost, or arrive (and be requeried) before VTPass's requery shows the reversal. So each
delivered purchase is asked about once more, a while after delivery, and such a reversal is
still found and refunded (once: settling is compare-and-set). The check is taken under a
lease before it runs and cleared once it has: a worker that dies in between leaves it to fall
due again when the lease ends; if VTPass cannot be asked it is put back sooner.

A purchase still pending `PurchasePolicy.pending_notice_s` after submit (VTPass slow to
confirm, a disco down) gets one SMS saying it is being confirmed and not to pay again: a
customer who hears nothing tends to buy twice. The notice is queued in the transaction that
marks it sent (`store.pending_notices`), so it goes once, across restarts and workers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from gateway.clock import Clock
from gateway.errors import UpstreamError
from gateway.purchases.models import VendingGateway
from gateway.purchases.receipts import pending_notice_message
from gateway.purchases.service import PurchaseService
from gateway.store import outbox, pending_notices, rechecks

logger = logging.getLogger(__name__)

RETRY_S = 300.0  # VTPass could not be asked: try this check again this much later
LEASE_S = 900.0  # a taken check left unfinished (its worker died) is due again this much later


async def recheck_delivered(
    service: PurchaseService, gateway: VendingGateway, clock: Clock, *, limit: int = 100
) -> int:
    """One recheck sweep: queue the due pending-for-long notices, then requery the delivered
    purchases whose check is due (up to `limit` of each); returns how many of both."""
    noticed = await notify_long_pending(service, clock, limit=limit)
    now = clock.now()
    lease_until = now + timedelta(seconds=LEASE_S)
    async with service.sessionmaker.begin() as session:
        due = await rechecks.claim_due_checks(
            session, now=now, lease_until=lease_until, limit=limit
        )
    outcomes = await asyncio.gather(
        *(_recheck(service, gateway, clock, pid, rid, lease_until) for pid, rid in due),
        return_exceptions=True,
    )
    for (purchase_id, _), outcome in zip(due, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            logger.error("post-delivery check of purchase %s failed", purchase_id, exc_info=outcome)
    return noticed + len(due)


async def notify_long_pending(service: PurchaseService, clock: Clock, *, limit: int = 100) -> int:
    """Queue the one notice of each purchase still open `pending_notice_s` after submit (up to
    `limit`); returns how many. Nothing when the policy turns notices off."""
    after_s = service.policy.pending_notice_s
    if after_s is None:
        return 0
    now = clock.now()
    async with service.sessionmaker.begin() as session:
        taken = await pending_notices.take_long_pending(
            session, submitted_before=now - timedelta(seconds=after_s), now=now, limit=limit
        )
        messages = [
            pending_notice_message(item.purchase, item.purchase.buyer_phone)
            for item in taken
            if item.notify
        ]
        await outbox.enqueue_many(session, messages, at=now)
    for item in taken:
        logger.info(
            "pending-for-long notice %s for purchase %s",
            "queued" if item.notify else "not sent (the buyer texted STOP)",
            item.purchase.id,
        )
    return len(messages)


async def _recheck(
    service: PurchaseService,
    gateway: VendingGateway,
    clock: Clock,
    purchase_id: int,
    request_id: str,
    lease_until: datetime,
) -> None:
    try:
        result = await gateway.requery(request_id)
    except UpstreamError as exc:
        logger.warning("post-delivery check of purchase %s postponed: %s", purchase_id, exc)
        async with service.sessionmaker.begin() as session:
            at = clock.now() + timedelta(seconds=RETRY_S)
            await rechecks.schedule_check(session, purchase_id, at=at)
        return
    after = await service.settle(
        purchase_id, result, source="recheck", request={"request_id": request_id}
    )
    async with service.sessionmaker.begin() as session:
        await rechecks.finish_check(session, purchase_id, lease_until=lease_until)
    logger.info("post-delivery check of purchase %s: %s", purchase_id, after.status)
