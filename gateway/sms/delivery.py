"""AT's delivery reports: `POST /sms/africastalking/delivery` (channels.md B4).

Each report names a message by AT's `id` (the `messageId` recorded when it was sent) and a
`status`; the message's delivery status moves only forward (`gateway.sms.delivery_status`), so
reports may come in any order or twice. AT is always answered 200 once the report is read,
even when it is malformed or names a message we never sent (logged, nothing changed): a 4xx
would only make AT retry a report that can never apply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.keys import clock_key, db_key
from gateway.sms import delivery_status
from gateway.store import outbox_queue

logger = logging.getLogger(__name__)

CHANNEL = "sms"


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    message_id: str
    status: str
    failure_reason: str | None = None


class Applied(StrEnum):
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # late or repeated: the message is already as far along
    UNKNOWN = "unknown"  # no sent SMS has this id
    AMBIGUOUS = "ambiguous"  # more than one has it (never for AT's ids): left alone


def parse_report(form: Mapping[str, str]) -> DeliveryReport | None:
    """The fields we use, or None when `id` or `status` is missing or implausible."""
    message_id = form.get("id", "").strip()
    status = form.get("status", "").strip()
    reason = form.get("failureReason", "").strip() or None
    if not (0 < len(message_id) <= 100 and 0 < len(status) <= 32):
        return None
    if not (message_id.isprintable() and status.isprintable()):
        return None
    return DeliveryReport(message_id, status, reason[:64] if reason else None)


async def apply_report(
    sessionmaker: async_sessionmaker[AsyncSession], report: DeliveryReport, *, at: datetime
) -> Applied:
    """Move the message's delivery status forward if `report` is news; one short transaction."""
    async with sessionmaker.begin() as session:
        found = await outbox_queue.lock_sent_by_provider_id(session, CHANNEL, report.message_id)
        if not found:
            return Applied.UNKNOWN
        if len(found) > 1:
            return Applied.AMBIGUOUS
        (message,) = found
        status = delivery_status.merge(message.delivery_status, report.status)
        if status is None:
            return Applied.UNCHANGED
        await outbox_queue.set_delivery(
            session, message.id, status=status, failure_reason=report.failure_reason, at=at
        )
        return Applied.UPDATED


async def delivery_report(request: web.Request) -> web.Response:
    """The route's handler (behind `at_guard`: token path and allow-list)."""
    form = await request.post()
    report = parse_report({k: v for k, v in form.items() if isinstance(v, str)})
    if report is None:
        logger.warning("malformed SMS delivery report ignored (fields: %s)", sorted(form)[:10])
        return web.Response(text="OK")
    app = request.app
    applied = await apply_report(app[db_key], report, at=app[clock_key].now())
    if applied in (Applied.UNKNOWN, Applied.AMBIGUOUS):
        logger.warning(
            "SMS delivery report %s for %s message id %.40s: nothing changed",
            report.status[:32],
            applied,
            report.message_id,
        )
    else:
        logger.debug("SMS delivery report %s: %s", report.status, applied)
    return web.Response(text="OK")
