"""The transaction PIN, one for every channel (USSD, SMS, Telegram, REST): set, check, lock out.

Rules: 4 digits; weak PINs are refused at set-up (one repeated digit, a straight run such as
1234 or 9876 including wrap-arounds like 8901, the phone's own last four). Three wrong PINs in a
row lock purchases for 30 minutes; a right PIN resets the count. Counters live in the `users`
row, so every channel and every process shares them.

Why an attempt is *counted before* the hash is checked: the counter update is one atomic
`UPDATE … RETURNING` committed before the slow argon2 verify, so a burst of parallel guesses
can never check more than three PINs per lock window, and a crash mid-verify counts as a miss
(never a free guess). A right PIN then gives the attempt back. A PIN is never logged,
returned or stored other than as an argon2id hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

from sqlalchemy import Table, and_, case, literal, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.errors import InvalidInput, NotFound
from gateway.pin_policy import is_pin_format, weak_pin_reason
from gateway.security.passwords import hash_secret, verify_secret
from gateway.store.tables import User, UtcDateTime

MAX_ATTEMPTS = 3
LOCK_DURATION = timedelta(minutes=30)
_USERS = cast(Table, User.__table__)
_U = _USERS.c


class PinStatus(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # wrong PIN; `attempts_left` more before the lock
    LOCKED = "locked"  # not checked: purchases are locked until `locked_until`
    NOT_SET = "not_set"  # the user has no PIN yet


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The answer of `check_pin`. A wrong third PIN is WRONG with `locked_until` set."""

    status: PinStatus
    attempts_left: int
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status is PinStatus.OK


class WeakPin(InvalidInput):
    """The PIN is refused at set-up; the message says why (never repeating the PIN)."""

    code = "weak_pin"


async def set_pin(
    db: async_sessionmaker[AsyncSession], user_id: int, pin: str, now: datetime
) -> None:
    """Store a new PIN and clear any lockout.

    Callers changing an existing PIN must first prove the current one with `check_pin`.

    Raises:
        WeakPin: the PIN breaks a rule above. NotFound: no such user.
    """
    async with db() as session:
        phone = await session.scalar(select(_U.phone).where(_U.id == user_id))
    if phone is None:
        raise NotFound(f"no user {user_id}")
    reason = weak_pin_reason(pin, phone)
    if reason is not None:
        raise WeakPin(reason)
    pin_hash = await hash_secret(pin)
    async with db.begin() as session:
        await session.execute(
            update(_USERS)
            .where(_U.id == user_id)
            .values(pin_hash=pin_hash, pin_failed_count=0, pin_locked_until=None, updated_at=now)
        )


async def check_pin(
    db: async_sessionmaker[AsyncSession], user_id: int, pin: str, now: datetime
) -> PinCheck:
    """Check `pin` for `user_id`, counting the attempt first (see the module docstring).

    Takes a sessionmaker, not a session: the attempt must be committed before the hash is
    checked, whatever the caller's transaction does afterwards.

    Raises:
        NotFound: no such user.
    """
    async with db.begin() as session:
        reserved = await _reserve_attempt(session, user_id, now)
        if reserved is None:
            return await _refusal(session, user_id)
    count, pin_hash, locked_until = reserved
    if is_pin_format(pin) and await verify_secret(pin_hash, pin):
        async with db.begin() as session:
            await session.execute(
                update(_USERS)
                .where(_U.id == user_id)
                .values(pin_failed_count=0, pin_locked_until=None)
            )
        return PinCheck(PinStatus.OK, MAX_ATTEMPTS)
    return PinCheck(PinStatus.WRONG, max(0, MAX_ATTEMPTS - count), locked_until)


async def _reserve_attempt(
    session: AsyncSession, user_id: int, now: datetime
) -> tuple[int, str, datetime | None] | None:
    """Count one attempt unless purchases are locked; (count, pin hash, lock) or None."""
    lock_over = and_(_U.pin_locked_until.is_not(None), _U.pin_locked_until <= now)
    count = case((lock_over, 1), else_=_U.pin_failed_count + 1)
    until = literal(now + LOCK_DURATION, UtcDateTime())
    row = (
        await session.execute(
            update(_USERS)
            .where(
                _U.id == user_id,
                _U.pin_hash.is_not(None),
                or_(_U.pin_locked_until.is_(None), lock_over),
            )
            .values(
                pin_failed_count=count,
                pin_locked_until=case((count >= MAX_ATTEMPTS, until), else_=null()),
            )
            .returning(_U.pin_failed_count, _U.pin_hash, _U.pin_locked_until)
        )
    ).first()
    if row is None:
        return None
    return int(row[0]), str(row[1]), row[2]


async def _refusal(session: AsyncSession, user_id: int) -> PinCheck:
    row = (
        await session.execute(select(_U.pin_hash, _U.pin_locked_until).where(_U.id == user_id))
    ).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    pin_hash, locked_until = row
    if pin_hash is None:
        return PinCheck(PinStatus.NOT_SET, 0)
    return PinCheck(PinStatus.LOCKED, 0, locked_until)


async def pin_state(session: AsyncSession, user_id: int, now: datetime) -> PinCheck:
    """The PIN's state without checking anything (for profiles): OK, LOCKED or NOT_SET."""
    row = (
        await session.execute(
            select(_U.pin_hash, _U.pin_locked_until, _U.pin_failed_count).where(_U.id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    pin_hash, locked_until, failed = row
    if pin_hash is None:
        return PinCheck(PinStatus.NOT_SET, 0)
    if locked_until is not None and locked_until > now:
        return PinCheck(PinStatus.LOCKED, 0, locked_until)
    left = MAX_ATTEMPTS if locked_until is not None else max(0, MAX_ATTEMPTS - failed)
    return PinCheck(PinStatus.OK, left)
