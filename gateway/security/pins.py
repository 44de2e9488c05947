"""The transaction PIN, one for every channel (USSD, SMS, Telegram, REST): set, check, lock out.

Rules: 4 digits; weak PINs are refused at set-up (one repeated digit, a straight run such as
1234 or 9876 including wrap-arounds like 8901, the phone's own last four). Three wrong PINs in a
row lock purchases for 30 minutes; the third such lock within 24 hours locks them until the
owner resets the PIN (`pin_lockout.py`); a right PIN resets the count. The owner gets an SMS
when a lock is set. Counters live in the `users` row, so every channel and process shares them.

Why a check *holds the user's row lock while it hashes*: an attempt may only count as failed
once the hash said so (counting first refused concurrent right PINs: eight parallel purchases
with the right PIN locked the account), yet a burst of parallel guesses must never check more
than three PINs per lock window. `SELECT … FOR UPDATE` serialises one user's checks (~0.4 ms of
hashing each; other users never wait), so each check sees the outcome of the one before it. A
check that dies mid-verify rolls back and its caller learns nothing, so it is no free guess. A
PIN is never logged, returned or stored other than as the hash below.

Why the hash is a *peppered* argon2id with cheap parameters (README, "PIN hashing"): a 4-digit
PIN has 10,000 values, so no affordable argon2 cost stops an offline guess of a leaked hash
(10,000 x 36 ms is six minutes). What protects PINs is the lockout online and, offline, a
server-side pepper kept out of the database: the stored hash is argon2id over
HMAC-SHA256(pepper, PIN), useless without the pepper. argon2id stays (salted, and the issue asks
for it) at t=1, m=1 MiB: ~0.4 ms instead of ~36 ms, so the PIN hop no longer saturates a core.
Stored as `$pin2$<pepper id>$<argon2id hash>`; hashes of the first format (plain argon2id of the
PIN, 19 MiB, t=2) still verify, and are rewritten in the new format on the first right PIN.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.errors import GatewayError, InvalidInput, NotFound
from gateway.metrics import PIN_LOCKOUTS
from gateway.pin_policy import is_pin_format, weak_pin_reason
from gateway.security.passwords import verify_secret_sync
from gateway.security.pin_lockout import MAX_ATTEMPTS, Lockout, lock_notice
from gateway.settings import Secret, Settings
from gateway.store import outbox
from gateway.store.tables import User

logger = logging.getLogger(__name__)

TIME_COST = 1
MEMORY_COST_KIB = 1024
FORMAT = "$pin2$"  # then `<pepper id>$<argon2id hash>`
_HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=1)
# First-format hashes cost ~36 ms of a core each: at most half the cores verify them at once,
# so a burst of them (until every user has been upgraded) cannot starve the event loop.
_LEGACY_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))
_USERS = cast(Table, User.__table__)
_U = _USERS.c


@dataclass(frozen=True, slots=True, repr=False)
class PinPepper:
    """The server-side key every PIN is HMACed with before argon2id; never stored with them.

    `id` (8 hex of an HMAC of the key, revealing nothing of it) is stored in each hash. A hash
    made under one of the `previous` peppers (or the embedded default's) still verifies and is
    rewritten under this one on the next right PIN, so a pepper can be rotated; a hash under
    any other pepper cannot be checked at all, which is logged as an error and, like a wrong
    PIN, counts as a failed attempt (a configuration mistake must not become a free guess).
    """

    key: bytes
    previous: tuple[PinPepper, ...] = field(default=(), compare=False)
    id: str = field(init=False, compare=False)  # worked out once: every verify reads it

    def __post_init__(self) -> None:
        pepper_id = hmac.digest(self.key, b"paylink/pin-pepper-id", "sha256").hex()[:8]
        object.__setattr__(self, "id", pepper_id)

    def __repr__(self) -> str:
        older = "".join(f", previous={p.id}" for p in self.previous)
        return f"PinPepper(id={self.id}{older})"

    def mix(self, pin: str) -> bytes:
        return hmac.digest(self.key, pin.encode(), "sha256")

    @classmethod
    def from_secret(cls, secret: Secret, previous: tuple[PinPepper, ...] = ()) -> PinPepper:
        return cls(hmac.digest(secret.value.encode(), b"paylink/pin-pepper", "sha256"), previous)

    def verifier(self, pepper_id: str) -> PinPepper | None:
        """The pepper a hash stored under `pepper_id` was made with, if this one knows it."""
        if pepper_id == self.id:
            return self
        for known in (*self.previous, EMBEDDED_PEPPER):
            if pepper_id == known.id:
                return known
        return None

    @classmethod
    def from_settings(cls, settings: Settings) -> PinPepper:
        """`PAYLINK_PIN_PEPPER`, else `PAYLINK_JWT_SECRET`, else the embedded default's own.

        The embedded default generates its JWT secret per run, which would lose every PIN on
        a restart, so without either secret it uses `EMBEDDED_PEPPER`, a published constant:
        a single-machine demo whose database sits beside it gets no pepper protection.
        """
        previous = []
        if settings.pin_pepper_previous is not None:
            previous.append(cls.from_secret(settings.pin_pepper_previous))
        if settings.pin_pepper is not None:
            if not settings.jwt_secret_generated:  # PINs set while it came from the JWT secret
                previous.append(cls.from_secret(settings.jwt_secret))
            return cls.from_secret(settings.pin_pepper, tuple(previous))
        if not settings.jwt_secret_generated:
            return cls.from_secret(settings.jwt_secret, tuple(previous))
        return EMBEDDED_PEPPER


EMBEDDED_PEPPER = PinPepper.from_secret(Secret("paylink-embedded-default-pin-pepper"))


def hash_pin_sync(pin: str, pepper: PinPepper) -> str:
    """The stored form of `pin` (blocking; ~0.4 ms)."""
    return f"{FORMAT}{pepper.id}${_HASHER.hash(pepper.mix(pin))}"


def verify_pin_sync(stored: str, pin: str, pepper: PinPepper) -> tuple[bool, str | None]:
    """Whether `pin` matches `stored`, and the hash to store instead (None: keep it).

    A malformed hash, or one made under another pepper, is a mismatch (the latter logged).
    """
    if stored.startswith(FORMAT):
        pepper_id, _, encoded = stored[len(FORMAT) :].partition("$")
        used = pepper.verifier(pepper_id)
        if used is None:
            logger.error("a PIN hash was made under an unknown pepper (id %s)", pepper_id)
            return False, None
        try:
            _HASHER.verify(encoded, used.mix(pin))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        stale = used is not pepper or _HASHER.check_needs_rehash(encoded)
        return True, hash_pin_sync(pin, pepper) if stale else None
    with _LEGACY_SLOTS:  # the first format: plain argon2id of the PIN (passwords.py)
        if not verify_secret_sync(stored, pin):
            return False, None
    return True, hash_pin_sync(pin, pepper)


class PinStatus(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # wrong PIN; `attempts_left` more before the lock
    LOCKED = "locked"  # purchases are locked: until `locked_until`, or until a reset
    NOT_SET = "not_set"  # the user has no PIN yet


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The answer of `check_pin`. The miss that sets a lock is answered LOCKED, like any lock.

    LOCKED has `locked_until` (a 30-minute lock) or `reset_required` (the PIN must be reset).
    """

    status: PinStatus
    attempts_left: int
    locked_until: datetime | None = None
    reset_required: bool = False

    @property
    def ok(self) -> bool:
        return self.status is PinStatus.OK


class PinRefused(GatewayError):
    """A purchase refused by its PIN check: `check` says why (wrong, locked or not set)."""

    code = "pin_refused"

    def __init__(self, check: PinCheck) -> None:
        super().__init__(f"PIN check: {check.status}")
        self.check = check


class WeakPin(InvalidInput):
    """The PIN is refused at set-up; the message says why (never repeating the PIN)."""

    code = "weak_pin"


async def hash_new_pin(pin: str, phone: str, *, pepper: PinPepper) -> str:
    """The stored form of a new PIN for the owner of `phone` (off the event loop).

    Raises:
        WeakPin: the PIN breaks a rule above.
    """
    reason = weak_pin_reason(pin, phone)
    if reason is not None:
        raise WeakPin(reason)
    return await asyncio.to_thread(hash_pin_sync, pin, pepper)


async def store_pin(session: AsyncSession, user_id: int, pin_hash: str, now: datetime) -> None:
    """Write a new PIN hash in the caller's transaction and clear every lock and its history.

    A new PIN is a new secret: it starts with a fresh set of tries (this is how a hard lock
    ends, after the owner proved who they are).
    """
    await session.execute(
        update(_USERS).where(_U.id == user_id).values(pin_hash=pin_hash, updated_at=now, **_CLEARED)
    )


async def set_pin(
    db: async_sessionmaker[AsyncSession],
    user_id: int,
    pin: str,
    now: datetime,
    *,
    pepper: PinPepper,
) -> None:
    """Store a new PIN and clear any lockout.

    Callers changing an existing PIN must first prove the current one with `check_pin`, or
    the owner's password or an SMS code (`pin_reset.py`).

    Raises:
        WeakPin: the PIN breaks a rule above. NotFound: no such user.
    """
    async with db() as session:
        phone = await session.scalar(select(_U.phone).where(_U.id == user_id))
    if phone is None:
        raise NotFound(f"no user {user_id}")
    pin_hash = await hash_new_pin(pin, phone, pepper=pepper)
    async with db.begin() as session:
        await store_pin(session, user_id, pin_hash, now)


async def check_pin(
    db: async_sessionmaker[AsyncSession],
    user_id: int,
    pin: str,
    now: datetime,
    *,
    pepper: PinPepper,
) -> PinCheck:
    """Check `pin` for `user_id` under the user's row lock (see the module docstring).

    Takes a sessionmaker, not a session: the attempt must be committed whatever the caller's
    transaction does afterwards. A miss that sets a lock queues the owner's SMS notice in the
    same transaction. A right PIN under an older hash format is stored again in the current
    one. Channels call `PinService.check`, which also bounds concurrent checks.

    Raises:
        NotFound: no such user.
    """
    async with _user_transaction(db) as connection:
        row = (await connection.execute(_LOCK_USER, {"user_id": user_id})).first()
        if row is None:
            raise NotFound(f"no user {user_id}")
        pin_hash, phone, state = row[0], row[1], _lockout(row[2:])
        if pin_hash is None:
            return PinCheck(PinStatus.NOT_SET, 0)
        if state.locked(now):
            return _locked(state)
        if is_pin_format(pin):
            ok, upgraded = await asyncio.to_thread(verify_pin_sync, pin_hash, pin, pepper)
        else:
            ok, upgraded = False, None
        if ok:
            cleared = state.after_right_pin()
            if upgraded is not None:  # the row is locked: this replaces the hash just verified
                params = _params(user_id, cleared) | {"new_pin_hash": upgraded}
                await connection.execute(_SET_LOCKOUT_AND_HASH, params)
            elif cleared != state:
                await connection.execute(_SET_LOCKOUT, _params(user_id, cleared))
            return PinCheck(PinStatus.OK, MAX_ATTEMPTS)
        missed = state.after_miss(now)
        await connection.execute(_SET_LOCKOUT, _params(user_id, missed))
        if not missed.locked(now):
            return PinCheck(PinStatus.WRONG, missed.attempts_left(now))
        await _notify_lock(connection, user_id, phone, missed, now)
        return _locked(missed)


def _locked(state: Lockout) -> PinCheck:
    return PinCheck(PinStatus.LOCKED, 0, state.locked_until, state.reset_required)


async def _notify_lock(
    connection: AsyncConnection, user_id: int, phone: str, lock: Lockout, now: datetime
) -> None:
    # an ORM session over the check's own connection: the notice commits with the lock or not
    # at all (a lock nobody hears about must not happen, nor a notice of a lock rolled back)
    session = AsyncSession(bind=connection)
    try:
        await outbox.enqueue(session, phone=phone, body=lock_notice(lock), at=now, user_id=user_id)
    finally:
        await session.close()
    PIN_LOCKOUTS.labels("hard" if lock.reset_required else "timed").inc()
    logger.info(
        "PIN %s for user %s",
        "locked until reset" if lock.reset_required else "locked for 30 minutes",
        user_id,
    )


@asynccontextmanager
async def _user_transaction(
    db: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncConnection]:
    """A Core connection in a transaction, committed when the block ends.

    Why Core on the engine rather than `db.begin()`: the PIN hop is the busiest path that
    writes, and the ORM session costs its own Python per statement. SQLite's `BEGIN IMMEDIATE`
    (`store/db.py`) serialises the checks there as the row lock does on Postgres.
    """
    bind = db.kw.get("bind")
    if not isinstance(bind, AsyncEngine):  # a sessionmaker bound otherwise: the ORM path
        async with db.begin() as session:
            yield await session.connection()
        return
    async with bind.begin() as connection:
        yield connection


# The statements of a check, built once: constructing them costs more CPU than running them.
_LOCKOUT_COLUMNS = (
    _U.pin_failed_count,
    _U.pin_locked_until,
    _U.pin_reset_required,
    _U.pin_last_lock_at,
    _U.pin_prior_lock_at,
)
_LOCK_USER = (
    select(_U.pin_hash, _U.phone, *_LOCKOUT_COLUMNS)
    .where(_U.id == bindparam("user_id"))
    .with_for_update()
)
_SET_LOCKOUT = (
    update(_USERS)
    .where(_U.id == bindparam("user_id"))
    .values({c: bindparam(f"new_{c.key}", type_=c.type) for c in _LOCKOUT_COLUMNS})
)
_SET_LOCKOUT_AND_HASH = _SET_LOCKOUT.values(pin_hash=bindparam("new_pin_hash"))
_CLEARED: dict[str, object] = {
    "pin_failed_count": 0,
    "pin_locked_until": None,
    "pin_reset_required": False,
    "pin_last_lock_at": None,
    "pin_prior_lock_at": None,
}


def _lockout(row: Sequence[Any]) -> Lockout:
    failed, locked_until, reset_required, last_lock_at, prior_lock_at = row
    return Lockout(int(failed), locked_until, bool(reset_required), last_lock_at, prior_lock_at)


def _params(user_id: int, state: Lockout) -> dict[str, object]:
    return {
        "user_id": user_id,
        "new_pin_failed_count": state.failed,
        "new_pin_locked_until": state.locked_until,
        "new_pin_reset_required": state.reset_required,
        "new_pin_last_lock_at": state.last_lock_at,
        "new_pin_prior_lock_at": state.prior_lock_at,
    }


async def pin_state(session: AsyncSession, user_id: int, now: datetime) -> PinCheck:
    """The PIN's state without checking anything (for profiles): OK, LOCKED or NOT_SET."""
    row = (
        await session.execute(select(_U.pin_hash, *_LOCKOUT_COLUMNS).where(_U.id == user_id))
    ).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    if row[0] is None:
        return PinCheck(PinStatus.NOT_SET, 0)
    state = _lockout(row[1:])
    if state.locked(now):
        return _locked(state)
    return PinCheck(PinStatus.OK, state.attempts_left(now))


class PinService:
    """Every channel's PIN checks and changes, with the app's pepper and one bound.

    Why one object: the pepper lives here and nowhere else (no process-global default), and
    the bound on concurrent checks covers every channel. Why the bound (at most half the
    pool's connections by default): a burst of checks otherwise checks out more connections
    than the pool keeps, and each one past `pool_size` is opened for a statement and closed
    again, which costs far more than the check itself. Waiting for a slot costs nothing.
    """

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        clock: Clock,
        pepper: PinPepper,
        *,
        concurrency: int,
    ) -> None:
        self._db = db
        self._clock = clock
        self.pepper = pepper
        self.concurrency = max(1, concurrency)
        self._slots = asyncio.Semaphore(self.concurrency)

    async def check(self, user_id: int, pin: str) -> PinCheck:
        """`check_pin` for `user_id` now, within the bound. Raises NotFound."""
        async with self._slots:
            return await check_pin(self._db, user_id, pin, self._clock.now(), pepper=self.pepper)

    async def set(self, user_id: int, pin: str) -> None:
        """`set_pin` now. Raises WeakPin, NotFound."""
        await set_pin(self._db, user_id, pin, self._clock.now(), pepper=self.pepper)

    async def hash_new(self, pin: str, phone: str) -> str:
        """`hash_new_pin` under this service's pepper. Raises WeakPin."""
        return await hash_new_pin(pin, phone, pepper=self.pepper)
