"""Settling a purchase as pure functions: which status an answer leads to, and the backoff.

The statuses and their allowed transitions are `gateway.domain.purchase_status`.

`initiated` means no `/pay` can have left yet; `pending` means one may have, so only a requery
(never a second `/pay`) can tell what happened. Money moves only on the edges marked below.

    initiated ──claim──► pending ──delivered──► delivered ──reversed──► reversed
        │  ▲                │                   (clearing→float)      (float→wallet)
        │  └─provably unsent┘
        └─────────┴──failed/rejected──► failed (clearing→wallet)
"""

from __future__ import annotations

from enum import StrEnum

from gateway.domain.purchase_status import PurchaseStatus
from gateway.vtpass.models import Outcome

__all__ = [
    "Action",
    "plan_settlement",
    "requery_delay_s",
    "target_status",
]


class Action(StrEnum):
    """What settling one VTPass answer does to a purchase in a given status."""

    DELIVER = "deliver"  # -> delivered, post clearing->float (+ fee revenue)
    REFUND = "refund"  # -> failed, post clearing->wallet
    REVERSE = "reverse"  # delivered -> reversed, post float->wallet
    WAIT = "wait"  # stay pending, requery later with backoff
    UNSENT = "unsent"  # requery said VTPass never saw it: may be paid again, same request_id
    NOTHING = "nothing"  # already settled this way, or a stale answer


def plan_settlement(current: PurchaseStatus, outcome: Outcome) -> Action:
    """The action for `outcome` on a purchase currently in `current`; pure and total.

    A reversal of a purchase that was never delivered is just a failure (money is still in
    clearing); an answer about a settled purchase changes nothing except a later reversal.
    """
    if current.is_open:
        if outcome is Outcome.DELIVERED:
            return Action.DELIVER
        if outcome.refunds_customer:
            return Action.REFUND
        if outcome is Outcome.NOT_FOUND:
            return Action.UNSENT if current is PurchaseStatus.PENDING else Action.NOTHING
        return Action.WAIT
    if current is PurchaseStatus.DELIVERED and outcome is Outcome.REVERSED:
        return Action.REVERSE
    return Action.NOTHING


def target_status(action: Action) -> PurchaseStatus | None:
    """The status an action ends in, or None when the status does not change by itself."""
    return {
        Action.DELIVER: PurchaseStatus.DELIVERED,
        Action.REFUND: PurchaseStatus.FAILED,
        Action.REVERSE: PurchaseStatus.REVERSED,
        Action.WAIT: PurchaseStatus.PENDING,
        Action.UNSENT: PurchaseStatus.INITIATED,
    }.get(action)


def requery_delay_s(attempts: int, *, base_s: float = 30.0, cap_s: float = 3600.0) -> float:
    """Seconds before the next requery after `attempts` answers: 30 s doubling, capped at 1 h."""
    if attempts < 1:
        return base_s
    # min() on the exponent first so a huge attempt count cannot overflow the float
    return min(base_s * 2.0 ** min(attempts - 1, 32), cap_s)
