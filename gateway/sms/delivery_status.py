"""The order of AT's delivery reports (channels.md B4), so they may arrive in any order. Pure.

A message moves `Sent` (left AT) -> `Submitted` (to the telco) -> `Buffered` (queued at the
telco) -> one final state: `Success` (on the handset), `Rejected` or `Failed`. Reports can
arrive late, twice or out of order; the rule is: a final state is never replaced, and a report
replaces the current state only if it is at least as far along. A value we do not know
(later AT documents mention `AbsentSubscriber`, `Expired`) is kept as it came, ranked after
`Buffered` and before the final states, so it neither hides a final report nor is hidden by
a late `Sent`.
"""

from __future__ import annotations

FINAL = frozenset({"success", "rejected", "failed"})
_RANK = {"sent": 1, "submitted": 2, "buffered": 3}
_UNKNOWN_RANK = 4
_FINAL_RANK = 5


def rank(status: str) -> int:
    key = status.casefold()
    if key in FINAL:
        return _FINAL_RANK
    return _RANK.get(key, _UNKNOWN_RANK)


def is_final(status: str) -> bool:
    return status.casefold() in FINAL


def merge(current: str | None, reported: str) -> str | None:
    """The delivery status after `reported` arrives, or None when it changes nothing."""
    if current is None:
        return reported
    if is_final(current) or reported == current:
        return None
    return reported if rank(reported) >= rank(current) else None
