"""A failed `PinCheck` as the API's error: 403 wrong PIN or no PIN, 423 locked.

A lock is always 423 `pin_locked`, never "wrong PIN", including the miss that set it, with
`details.locked_until` (a timestamp like every other, or null when only a reset unlocks) and
`details.reset_required`.
"""

from __future__ import annotations

from datetime import datetime

from gateway.api.errors import ApiError, PinIncorrect, PinLockedError, PinNotSet
from gateway.api.times import format_timestamp
from gateway.security.pins import PinCheck, PinStatus

RESET_ROUTES = "POST /api/v1/me/pin/reset (password) or /api/v1/me/pin/reset/request (SMS code)"


def pin_refusal(check: PinCheck, now: datetime) -> ApiError:
    if check.status is PinStatus.NOT_SET:
        return PinNotSet("set a transaction PIN first (PUT /api/v1/me/pin)")
    if check.status is PinStatus.LOCKED:
        return pin_locked(check, now)
    return PinIncorrect("the PIN is not right", details={"attempts_left": check.attempts_left})


def pin_locked(check: PinCheck, now: datetime) -> PinLockedError:
    """423 for a locked PIN; `Retry-After` only when waiting is what unlocks it."""
    if check.reset_required or check.locked_until is None:
        return PinLockedError(
            f"too many wrong PINs: purchases are locked until you reset your PIN ({RESET_ROUTES})",
            details={"locked_until": None, "reset_required": True},
        )
    wait = max(1, int((check.locked_until - now).total_seconds()))
    return PinLockedError(
        "too many wrong PINs: purchases are locked for now",
        details={"locked_until": format_timestamp(check.locked_until), "reset_required": False},
        headers={"Retry-After": str(wait)},
    )
