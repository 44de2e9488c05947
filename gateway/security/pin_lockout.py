"""The PIN lockout as a pure state machine: misses, 30-minute locks, the lock that needs a reset.

Why escalate: 3 guesses per 30 minutes, forever, is 144 guesses a day, so a 4-digit PIN falls
within weeks to an attacker who just waits out each lock. Here the third lock within 24 hours
stays until the owner resets the PIN (web app: password or SMS code), which caps the guesses
at 9 per PIN before the owner has to act. The two previous lock times are kept, so "three locks
within 24 hours" is an exact sliding window, not a window anchored at the first lock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from gateway.texts import account

MAX_ATTEMPTS = 3
LOCK_DURATION = timedelta(minutes=30)
ESCALATION_WINDOW = timedelta(hours=24)  # the third lock within it needs a PIN reset


@dataclass(frozen=True, slots=True)
class Lockout:
    """The lockout columns of one `users` row.

    `locked_until` None with `reset_required` is the hard lock; a `locked_until` in the past
    is a lock that has run out (the next miss counts from one again).
    """

    failed: int = 0
    locked_until: datetime | None = None
    reset_required: bool = False
    last_lock_at: datetime | None = None
    prior_lock_at: datetime | None = None  # the lock before `last_lock_at`

    def locked(self, now: datetime) -> bool:
        return self.reset_required or (self.locked_until is not None and self.locked_until > now)

    def attempts_left(self, now: datetime) -> int:
        if self.locked(now):
            return 0
        if self.locked_until is not None:  # a lock that ran out: a fresh set of tries
            return MAX_ATTEMPTS
        return max(0, MAX_ATTEMPTS - self.failed)

    def after_miss(self, now: datetime) -> Lockout:
        """The state after a wrong PIN checked while not locked; `locked(now)` if it locks."""
        failed = 1 if self.locked_until is not None else self.failed + 1
        if failed < MAX_ATTEMPTS:
            return replace(self, failed=failed, locked_until=None)
        # the third lock within the window: the older of the two kept locks is inside it
        hard = self.prior_lock_at is not None and now - self.prior_lock_at < ESCALATION_WINDOW
        return Lockout(
            failed=failed,
            locked_until=None if hard else now + LOCK_DURATION,
            reset_required=hard,
            last_lock_at=now,
            prior_lock_at=self.last_lock_at,
        )

    def after_right_pin(self) -> Lockout:
        """A right PIN clears the misses but not the lock history (an attacker's locks count)."""
        return replace(self, failed=0, locked_until=None)


def lock_notice(lock: Lockout) -> str:
    """The owner's SMS when a lock is set (`texts.account.pin_locked`): until when, in Lagos
    time, or that a reset is needed. Never the PIN."""
    until = None if lock.reset_required else lock.locked_until
    return account.pin_locked(until, MAX_ATTEMPTS).body
