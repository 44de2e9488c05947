"""A purchase's status and the transitions between them (settling is `purchases.statuses`).

`initiated` means no `/pay` can have left yet; `pending` means one may have, so only a requery
(never a second `/pay`) can tell what happened.

    initiated ──claim──► pending ──delivered──► delivered ──reversed──► reversed
        │  ▲                │
        │  └─provably unsent┘
        └─────────┴──failed/rejected──► failed
"""

from __future__ import annotations

from enum import StrEnum


class PurchaseStatus(StrEnum):
    INITIATED = "initiated"  # debited into clearing; no /pay sent yet
    PENDING = "pending"  # a /pay may have been sent; only requery or the webhook settles it
    DELIVERED = "delivered"
    FAILED = "failed"  # refunded
    REVERSED = "reversed"  # delivered, then VTPass returned the money; refunded

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({PurchaseStatus.INITIATED, PurchaseStatus.PENDING})

_ALLOWED: dict[PurchaseStatus, frozenset[PurchaseStatus]] = {
    PurchaseStatus.INITIATED: frozenset(
        {PurchaseStatus.PENDING, PurchaseStatus.DELIVERED, PurchaseStatus.FAILED}
    ),
    # back to initiated only when the /pay provably never reached VTPass (connect error, 015)
    PurchaseStatus.PENDING: frozenset(
        {PurchaseStatus.INITIATED, PurchaseStatus.DELIVERED, PurchaseStatus.FAILED}
    ),
    PurchaseStatus.DELIVERED: frozenset({PurchaseStatus.REVERSED}),
    PurchaseStatus.FAILED: frozenset(),
    PurchaseStatus.REVERSED: frozenset(),
}


def can_transition(current: PurchaseStatus, target: PurchaseStatus) -> bool:
    """Whether the state machine allows `current -> target`."""
    return target in _ALLOWED[current]
