"""What a signed Paystack event means for us, after it was acknowledged (paystack.md §3.5).

Each event is stored once under its key (event name + transaction id; for refunds the
transaction reference + status), then processed in the background. Nothing is taken from the
event itself: a charge is verified before any credit, a refund re-reads our funding.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.paystack.crediting import Crediting, EventNote
from gateway.paystack.models import MalformedAnswer, Transaction, as_kobo
from gateway.paystack.store import FundingRecord

logger = logging.getLogger(__name__)


def event_key(event: str, data: Mapping[str, Any], raw: bytes) -> str:
    """The de-duplication key: redeliveries share it, a later refund of the same charge does not."""
    if event.startswith("refund."):
        subject = data.get("transaction_reference")
    else:
        subject = data.get("id") or data.get("reference")
    if subject is None or subject == "":
        subject = hashlib.sha256(raw).hexdigest()[:32]  # no id: the exact bytes are the event
    return f"{event}:{subject}"[:200]


def event_reference(event: str, data: Mapping[str, Any]) -> str | None:
    found = (
        data.get("transaction_reference") if event.startswith("refund.") else data.get("reference")
    )
    return None if found is None else str(found)[:100]


@dataclass(frozen=True, slots=True)
class Read:
    """The funding an event names, read when the event was stored (None: none of ours)."""

    funding: FundingRecord | None


async def process(
    crediting: Crediting,
    event: str,
    data: Mapping[str, Any],
    read: Read | None = None,
    note: EventNote | None = None,
) -> str:
    """Act on one event; the outcome word is kept with the event for operators (written with
    the credit, and `note.written` set, when `note` is given and the event credits a
    checkout)."""
    if event == "charge.success":
        return await _charge(crediting, data, read, note)
    if event == "refund.processed":
        reference, amount = data.get("transaction_reference"), as_kobo(data.get("amount"))
        if not isinstance(reference, str) or amount is None:
            return "unreadable"
        funding = await crediting.reverse(reference, amount)
        return "unknown_reference" if funding is None else funding.status
    if event.startswith(("dedicatedaccount.assign.", "refund.")):
        logger.info("Paystack event %s noted", event)
        return "noted"
    return "ignored"


async def _charge(
    crediting: Crediting, data: Mapping[str, Any], read: Read | None, note: EventNote | None
) -> str:
    try:
        claimed = Transaction.read(data)
    except MalformedAnswer:
        return "unreadable"
    if not claimed.is_transfer:
        if read is not None and (
            read.funding is None or read.funding.reference == claimed.reference
        ):
            funding = await crediting.settle_read(read.funding, note)
        else:
            funding = await crediting.settle(claimed.reference, note)
        if funding is not None:
            return funding.status
    credited = await crediting.credit_transfer(claimed)
    return "unknown_reference" if credited is None else credited.status
