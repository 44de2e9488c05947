"""The transaction PIN, one for every channel (USSD, SMS, Telegram, REST): set, check, lock out.

Rules: 4 digits; weak PINs are refused at set-up (one repeated digit, a straight run such as
1234 or 9876 including wrap-arounds like 8901, the phone's own last four). Three wrong PINs in a
row lock purchases for 30 minutes; a right PIN resets the count. Counters live in the `users`
row, so every channel and every process shares them.

Why an attempt is *counted before* the hash is checked: the counter update is one atomic
`UPDATE … RETURNING` committed before the verify, so a burst of parallel guesses can never
check more than three PINs per lock window, and a crash mid-verify counts as a miss (never a
free guess). A right PIN then gives the attempt back. A PIN is never logged, returned or stored
other than as the hash below.

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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Table, and_, bindparam, case, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from gateway.errors import InvalidInput, NotFound
from gateway.pin_policy import is_pin_format, weak_pin_reason
from gateway.security.passwords import verify_secret_sync
from gateway.settings import Secret, Settings
from gateway.store.tables import User, UtcDateTime

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
LOCK_DURATION = timedelta(minutes=30)
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
_installed: list[PinPepper] = []


def install_pepper(pepper: PinPepper) -> None:
    """Make `pepper` this process's default (the app does it at start-up from its settings)."""
    _installed[:] = [pepper]


def _pepper(pepper: PinPepper | None) -> PinPepper:
    if pepper is not None:
        return pepper
    if not _installed:
        raise RuntimeError("no PIN pepper: call install_pepper() or pass pepper=")
    return _installed[0]


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
    db: async_sessionmaker[AsyncSession],
    user_id: int,
    pin: str,
    now: datetime,
    *,
    pepper: PinPepper | None = None,
) -> None:
    """Store a new PIN and clear any lockout.

    Callers changing an existing PIN must first prove the current one with `check_pin`.
    `pepper` defaults to the one installed at start-up.

    Raises:
        WeakPin: the PIN breaks a rule above. NotFound: no such user.
    """
    key = _pepper(pepper)
    async with db() as session:
        phone = await session.scalar(select(_U.phone).where(_U.id == user_id))
    if phone is None:
        raise NotFound(f"no user {user_id}")
    reason = weak_pin_reason(pin, phone)
    if reason is not None:
        raise WeakPin(reason)
    pin_hash = await asyncio.to_thread(hash_pin_sync, pin, key)
    async with db.begin() as session:
        await session.execute(
            update(_USERS)
            .where(_U.id == user_id)
            .values(pin_hash=pin_hash, pin_failed_count=0, pin_locked_until=None, updated_at=now)
        )


async def check_pin(
    db: async_sessionmaker[AsyncSession],
    user_id: int,
    pin: str,
    now: datetime,
    *,
    pepper: PinPepper | None = None,
) -> PinCheck:
    """Check `pin` for `user_id`, counting the attempt first (see the module docstring).

    Takes a sessionmaker, not a session: the attempt must be committed before the hash is
    checked, whatever the caller's transaction does afterwards. A right PIN under an older
    hash format is stored again in the current one. `pepper` defaults to the installed one.

    Raises:
        NotFound: no such user.
    """
    key = _pepper(pepper)
    async with _one_statement(db) as connection:
        reserved = await _reserve_attempt(connection, user_id, now)
        if reserved is None:
            return await _refusal(connection, user_id)
    count, pin_hash, locked_until = reserved
    if is_pin_format(pin):
        ok, upgraded = await asyncio.to_thread(verify_pin_sync, pin_hash, pin, key)
    else:
        ok, upgraded = False, None
    if ok:
        async with _one_statement(db) as connection:
            if upgraded is None:
                await connection.execute(_RESET, {"user_id": user_id})
            else:  # replaces only the hash just verified, never a PIN set meanwhile
                params = {"user_id": user_id, "verified": pin_hash, "upgraded": upgraded}
                await connection.execute(_RESET_AND_UPGRADE, params)
        return PinCheck(PinStatus.OK, MAX_ATTEMPTS)
    return PinCheck(PinStatus.WRONG, max(0, MAX_ATTEMPTS - count), locked_until)


@asynccontextmanager
async def _one_statement(db: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncConnection]:
    """A Core connection for one self-contained statement, committed when the block ends.

    Why not `db.begin()`: on Postgres an ORM transaction costs three round trips (BEGIN, the
    statement, COMMIT) plus the ORM session's own Python; a single `UPDATE … RETURNING` in
    autocommit is just as atomic (it is its own transaction) in one round trip. The PIN hop
    makes two such writes, the reservation and the reset. SQLite keeps a transaction, so
    its `BEGIN IMMEDIATE` (`store/db.py`) still queues writers.
    """
    bind = db.kw.get("bind")
    if not isinstance(bind, AsyncEngine):  # a sessionmaker bound otherwise: the ORM path
        async with db.begin() as session:
            yield await session.connection()
        return
    if bind.dialect.name != "postgresql":
        async with bind.begin() as connection:
            yield connection
        return
    async with bind.connect() as connection:
        yield await connection.execution_options(isolation_level="AUTOCOMMIT")


# The statements of a check, built once: constructing them costs more CPU than running them
# (~0.3 ms each), and the PIN hop is the busiest path that writes to the database.
_NOW = bindparam("now", type_=UtcDateTime())
_LOCK_OVER = and_(_U.pin_locked_until.is_not(None), _U.pin_locked_until <= _NOW)
_COUNT = case((_LOCK_OVER, 1), else_=_U.pin_failed_count + 1)
_RESERVE = (
    update(_USERS)
    .where(
        _U.id == bindparam("user_id"),
        _U.pin_hash.is_not(None),
        or_(_U.pin_locked_until.is_(None), _LOCK_OVER),
    )
    .values(
        pin_failed_count=_COUNT,
        pin_locked_until=case(
            (_COUNT >= MAX_ATTEMPTS, bindparam("until", type_=UtcDateTime())), else_=null()
        ),
    )
    .returning(_U.pin_failed_count, _U.pin_hash, _U.pin_locked_until)
)
_RESET = (
    update(_USERS)
    .where(_U.id == bindparam("user_id"))
    .values(pin_failed_count=0, pin_locked_until=None)
)
_RESET_AND_UPGRADE = _RESET.values(
    pin_hash=case((_U.pin_hash == bindparam("verified"), bindparam("upgraded")), else_=_U.pin_hash)
)


async def _reserve_attempt(
    connection: AsyncConnection, user_id: int, now: datetime
) -> tuple[int, str, datetime | None] | None:
    """Count one attempt unless purchases are locked; (count, pin hash, lock) or None."""
    params = {"user_id": user_id, "now": now, "until": now + LOCK_DURATION}
    row = (await connection.execute(_RESERVE, params)).first()
    if row is None:
        return None
    return int(row[0]), str(row[1]), row[2]


async def _refusal(connection: AsyncConnection, user_id: int) -> PinCheck:
    row = (
        await connection.execute(select(_U.pin_hash, _U.pin_locked_until).where(_U.id == user_id))
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
