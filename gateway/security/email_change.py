"""Changing an account's e-mail: a pending address that becomes the account's only with a code.

Before, `PATCH /me` set any address at once, so a stolen session could swap it and anyone could
claim an address in one call. Now a request stores the new address beside a one-time code
(`otp_codes`, purpose `email_change`) and texts the code to the account's own phone: a session
alone cannot change the address, and a pending request reserves nothing, so the first account to
confirm an address gets it (uniqueness is checked when the code is confirmed, inside the same
transaction, by the unique index on `lower(email)`). The owner is told by SMS once it changed.

What this cannot prove is that the mailbox is the requester's: PayLink sends no e-mail. When
it does, the code goes to the new address instead: `request_change` is the one place to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.errors import NotFound
from gateway.security import otp
from gateway.store import outbox
from gateway.store.tables import User
from gateway.texts import account

PURPOSE = "email_change"  # the one-time code's purpose (otp_codes.purpose)
_USERS = cast(Table, User.__table__)
_U = _USERS.c


def sms_text(code: str) -> str:
    """The code's SMS (`texts.account.email_change_code`): what it confirms, never to share it."""
    return account.email_change_code(code, otp.TTL_MINUTES).body


@dataclass(frozen=True, slots=True)
class Confirmed:
    """The code's check; `taken` when it was right but the address is now someone else's."""

    check: otp.OtpCheck
    taken: bool = False


async def request_change(
    db: async_sessionmaker[AsyncSession], *, key: bytes, user_id: int, email: str, now: datetime
) -> datetime:
    """Hold `email` as the account's pending address and text a code to its phone.

    A new request replaces the pending address and its code. Returns when the code expires.
    """
    async with db.begin() as session:
        phone = await _phone(session, user_id)
        return await otp.issue(
            session,
            key=key,
            phone=phone,
            purpose=PURPOSE,
            now=now,
            payload={"email": email},
            user_id=user_id,
            text=sms_text,
        )


async def confirm_change(
    db: async_sessionmaker[AsyncSession], *, key: bytes, user_id: int, code: str, now: datetime
) -> Confirmed:
    """Make the pending address the account's if `code` is right and nobody else holds it.

    A wrong code counts one of its tries; a right one is used up either way.
    """
    async with db.begin() as session:
        phone = await _phone(session, user_id)
        check = await otp.consume(
            session, key=key, phone=phone, purpose=PURPOSE, code=code, now=now
        )
        if not check.ok:
            return Confirmed(check)
        try:
            async with session.begin_nested():
                await session.execute(
                    update(_USERS)
                    .where(_U.id == user_id)
                    .values(email=str(check.payload["email"]), updated_at=now)
                )
        except IntegrityError:
            return Confirmed(check, taken=True)
        notice = account.email_changed().body
        await outbox.enqueue(session, phone=phone, body=notice, at=now, user_id=user_id)
    return Confirmed(check)


async def _phone(session: AsyncSession, user_id: int) -> str:
    phone = await session.scalar(select(_U.phone).where(_U.id == user_id))
    if phone is None:
        raise NotFound(f"no user {user_id}")
    return str(phone)
