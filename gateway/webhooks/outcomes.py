"""The words webhook dedupe keys are made of: what a webhook claims, what a requery found.

Both sides speak the purchase's vocabulary (pending, delivered, failed, reversed), so a claim
can be compared with a requery's finding. A key is remembered only once a requery found that
outcome; a claim the requery contradicted is forgotten, so it cannot swallow the genuine
webhook that comes later. Failed and reversed are final: after either, no claim can change
anything, so every later delivery for that purchase is a duplicate.
"""

from __future__ import annotations

from gateway.domain.purchase_status import PurchaseStatus
from gateway.vtpass.models import Outcome, PayResult

PENDING = "pending"
FINAL = frozenset({PurchaseStatus.FAILED.value, PurchaseStatus.REVERSED.value})

_CLAIMS = {
    Outcome.DELIVERED: PurchaseStatus.DELIVERED.value,
    Outcome.FAILED: PurchaseStatus.FAILED.value,
    Outcome.REJECTED: PurchaseStatus.FAILED.value,
    Outcome.REVERSED: PurchaseStatus.REVERSED.value,
}


def claimed_outcome(result: PayResult | None) -> str:
    """What a webhook body says happened (an unreadable or unfinished one says "pending")."""
    return PENDING if result is None else _CLAIMS.get(result.outcome, PENDING)


def settled_outcome(status: PurchaseStatus) -> str:
    """What a requery found, as the purchase's status after it (open ones are "pending")."""
    return PENDING if status.is_open else status.value


def outcome_key(request_id: str, outcome: str) -> str:
    return f"{request_id}:{outcome}"


def final_keys(request_id: str) -> list[str]:
    """The keys whose presence makes every later webhook for `request_id` a duplicate."""
    return [outcome_key(request_id, outcome) for outcome in sorted(FINAL)]
