"""Resetting a locked or forgotten PIN, proved by the account password or an SMS code.

Why both: the hard lock (`pin_lockout.py`) ends only here, and a USSD-only customer has no
password, while a web customer may have lost the SIM for a while. Either proof sets the new
PIN and clears every lock in one transaction, and the owner is told by SMS that the PIN changed
(a stolen session plus a password must not reset it silently). A PIN never reaches a log.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.errors import NotFound
from gateway.security import otp, pins
from gateway.security.passwords import verify_password
from gateway.store import outbox
from gateway.store.tables import User
from gateway.texts import account

PURPOSE = "pin_reset"  # the one-time code's purpose (otp_codes.purpose)
_U = cast(Table, User.__table__).c


async def request_code(
    db: async_sessionmaker[AsyncSession], *, key: bytes, user_id: int, now: datetime
) -> datetime:
    """Text a 6-digit code to the account's own phone; returns when it expires."""
    async with db.begin() as session:
        phone = await _phone(session, user_id)
        return await otp.issue(
            session, key=key, phone=phone, purpose=PURPOSE, now=now, user_id=user_id
        )


async def reset_with_code(
    db: async_sessionmaker[AsyncSession],
    *,
    key: bytes,
    user_id: int,
    code: str,
    pin: str,
    now: datetime,
    pepper: pins.PinPepper,
) -> otp.OtpCheck:
    """Set `pin` if `code` is the live reset code; a wrong code counts one of its tries.

    Raises:
        WeakPin: refused before the code is tried, so a weak PIN costs no try.
    """
    async with db() as session:
        phone = await _phone(session, user_id)
    pin_hash = await pins.hash_new_pin(pin, phone, pepper=pepper)
    async with db.begin() as session:
        check = await otp.consume(
            session, key=key, phone=phone, purpose=PURPOSE, code=code, now=now
        )
        if check.ok:
            await _store(session, user_id, phone, pin_hash, now)
    return check


async def reset_with_password(
    db: async_sessionmaker[AsyncSession],
    *,
    user_id: int,
    password: str,
    pin: str,
    now: datetime,
    pepper: pins.PinPepper,
) -> bool:
    """Set `pin` if `password` is the account's; False (nothing changed) otherwise.

    The caller rate-limits attempts. Raises WeakPin before the password is checked.
    """
    async with db() as session:
        row = (
            await session.execute(select(_U.phone, _U.password_hash).where(_U.id == user_id))
        ).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    pin_hash = await pins.hash_new_pin(pin, row.phone, pepper=pepper)
    if not await verify_password(row.password_hash, password):
        return False
    async with db.begin() as session:
        await _store(session, user_id, row.phone, pin_hash, now)
    return True


async def _phone(session: AsyncSession, user_id: int) -> str:
    phone = await session.scalar(select(_U.phone).where(_U.id == user_id))
    if phone is None:
        raise NotFound(f"no user {user_id}")
    return str(phone)


async def _store(
    session: AsyncSession, user_id: int, phone: str, pin_hash: str, now: datetime
) -> None:
    await pins.store_pin(session, user_id, pin_hash, now)
    notice = account.pin_reset().body
    await outbox.enqueue(session, phone=phone, body=notice, at=now, user_id=user_id)
