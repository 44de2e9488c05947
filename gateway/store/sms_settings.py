"""Each user's SMS settings: purchases by text command, and notices (STOP/START).

`sms_purchases` is off until the owner turns it on with the PIN (USSD wallet menu, REST): the
purchase service refuses an SMS purchase without it, and the SMS channel answers a buy command
with how to turn it on. `sms_notices` is on until the owner texts STOP: notices other than
receipts and one-time codes go by SMS only while it is on (`notices_on`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from gateway.store.tables import User


@dataclass(frozen=True, slots=True)
class SmsAccount:
    """What the SMS channel reads about a sender before it answers (one indexed lookup)."""

    user_id: int
    has_pin: bool
    purchases: bool
    notices: bool


_ACCOUNT = select(User.id, User.pin_hash.is_not(None), User.sms_purchases, User.sms_notices)


async def account(connection: AsyncConnection | AsyncSession, phone: str) -> SmsAccount | None:
    """The account of this E.164 phone, or None if no user has it."""
    row = (await connection.execute(_ACCOUNT.where(User.phone == phone))).first()
    if row is None:
        return None
    return SmsAccount(int(row[0]), bool(row[1]), bool(row[2]), bool(row[3]))


async def purchases_on(session: AsyncSession, user_id: int) -> bool:
    """Whether this user turned purchases by SMS on (False for no such user)."""
    found = await session.scalar(select(User.sms_purchases).where(User.id == user_id))
    return bool(found)


async def notices_on(session: AsyncSession, user_id: int) -> bool:
    """Whether notices other than receipts and codes may go to this user by SMS."""
    found = await session.scalar(select(User.sms_notices).where(User.id == user_id))
    return found is None or bool(found)


async def set_purchases(session: AsyncSession, user_id: int, enabled: bool, now: datetime) -> bool:
    """Turn purchases by SMS on or off (the caller checked the PIN); False for no such user."""
    return await _set(session, user_id, now, sms_purchases=enabled)


async def set_notices(session: AsyncSession, user_id: int, enabled: bool, now: datetime) -> bool:
    """STOP (False) or START (True) notices by SMS; False for no such user."""
    return await _set(session, user_id, now, sms_notices=enabled)


async def _set(session: AsyncSession, user_id: int, now: datetime, **values: bool) -> bool:
    result = await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(**values, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
