"""A failed `PinCheck` as the API's error: 403 wrong PIN or no PIN, 423 locked."""

from __future__ import annotations

from datetime import datetime

from gateway.api.errors import ApiError, PinIncorrect, PinLocked, PinNotSet
from gateway.security.pins import PinCheck, PinStatus


def pin_refusal(check: PinCheck, now: datetime) -> ApiError:
    if check.status is PinStatus.NOT_SET:
        return PinNotSet("set a transaction PIN first (PUT /api/v1/me/pin)")
    if check.locked_until is not None:
        wait = max(1, int((check.locked_until - now).total_seconds()))
        return PinLocked(
            "too many wrong PINs: purchases are locked for now",
            details={"locked_until": check.locked_until.isoformat()},
            headers={"Retry-After": str(wait)},
        )
    return PinIncorrect("the PIN is not right", details={"attempts_left": check.attempts_left})
