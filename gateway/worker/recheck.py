"""The post-delivery check: each delivered purchase is requeried once, a while after delivery.

VTPass may reverse a delivered transaction later; its webhook normally tells us, but a webhook
can be lost, or arrive (and be requeried) before VTPass's requery shows the reversal. This
check asks once more, so such a reversal is still found and refunded (once: settling is
compare-and-set). The check is taken before it runs; if VTPass cannot be asked it is put back.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from gateway.clock import Clock
from gateway.errors import UpstreamError
from gateway.purchases.models import VendingGateway
from gateway.purchases.service import PurchaseService
from gateway.store import rechecks

logger = logging.getLogger(__name__)

RETRY_S = 300.0  # VTPass could not be asked: try this check again this much later


async def recheck_delivered(
    service: PurchaseService, gateway: VendingGateway, clock: Clock, *, limit: int = 100
) -> int:
    """Requery the delivered purchases whose check is due (up to `limit`); returns how many."""
    async with service.sessionmaker.begin() as session:
        due = await rechecks.claim_due_checks(session, now=clock.now(), limit=limit)
    outcomes = await asyncio.gather(
        *(_recheck(service, gateway, clock, pid, rid) for pid, rid in due), return_exceptions=True
    )
    for (purchase_id, _), outcome in zip(due, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            logger.error("post-delivery check of purchase %s failed", purchase_id, exc_info=outcome)
    return len(due)


async def _recheck(
    service: PurchaseService,
    gateway: VendingGateway,
    clock: Clock,
    purchase_id: int,
    request_id: str,
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
    logger.info("post-delivery check of purchase %s: %s", purchase_id, after.status)
