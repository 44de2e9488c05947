"""Pending web sign-ups: each with its own id, SMS code, tries and payload, so none can be hijacked.

Before, a phone had one pending sign-up and a second `register` replaced its password: whoever
typed the owner's number after them had the owner's code unlock the attacker's password. Now
every `register` opens its own row, answered with an unguessable `registration_id`; the code
is an HMAC bound to that id and the phone, its tries are counted on that row alone, and a
verify applies only that row's payload. Verifying one voids the phone's others. Codes, their
lifetime, tries and SMS text are those of `gateway.security.otp`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.security import otp
from gateway.store import outbox
from gateway.store.auth_tables import registrations_table

_R = registrations_table.c
ID_BYTES = 24  # 32 URL-safe characters: unguessable, so nobody else can spend its tries


@dataclass(frozen=True, slots=True)
class Opened:
    registration_id: str
    expires_at: datetime


def _mac(key: bytes, registration_id: str, phone: str, code: str) -> str:
    message = f"register\x00{registration_id}\x00{phone}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def open_registration(
    session: AsyncSession,
    *,
    key: bytes,
    phone: str,
    password_hash: str,
    name: str | None,
    email: str | None,
    now: datetime,
    user_id: int | None = None,
) -> Opened:
    """Store a new pending sign-up beside any others for the phone and queue its SMS code.

    The code itself only exists in the outbox's SMS body.
    """
    registration_id = secrets.token_urlsafe(ID_BYTES)
    code = otp.new_code()
    expires_at = now + otp.TTL
    # housekeeping only: dead rows of this phone (expired) are of no use to anyone
    await session.execute(
        delete(registrations_table).where(_R.phone == phone, _R.expires_at <= now)
    )
    await session.execute(
        registrations_table.insert().values(
            public_id=registration_id,
            phone=phone,
            code_hash=_mac(key, registration_id, phone, code),
            attempts=0,
            password_hash=password_hash,
            name=name,
            email=email,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await outbox.enqueue(session, phone=phone, body=otp.sms_text(code), at=now, user_id=user_id)
    return Opened(registration_id, expires_at)


async def consume(
    session: AsyncSession,
    *,
    key: bytes,
    phone: str,
    registration_id: str,
    code: str,
    now: datetime,
) -> otp.OtpCheck:
    """Check `code` against this registration alone; a match voids every sign-up of the phone.

    The try is counted atomically before the check, on this registration's row only. An
    unknown id, another phone's id, an expired or used one are all GONE, alike. The caller
    must commit even when the answer is WRONG, or the try is not counted.
    """
    row = (
        await session.execute(
            registrations_table.update()
            .where(
                _R.public_id == registration_id,
                _R.phone == phone,
                _R.expires_at > now,
                _R.attempts < otp.MAX_ATTEMPTS,
            )
            .values(attempts=_R.attempts + 1)
            .returning(_R.code_hash, _R.attempts, _R.password_hash, _R.name, _R.email)
        )
    ).first()
    if row is None:
        return otp.OtpCheck(otp.OtpStatus.GONE)
    if not hmac.compare_digest(row.code_hash, _mac(key, registration_id, phone, code)):
        left = otp.MAX_ATTEMPTS - int(row.attempts)
        return otp.OtpCheck(otp.OtpStatus.WRONG if left > 0 else otp.OtpStatus.GONE, left)
    await session.execute(delete(registrations_table).where(_R.phone == phone))
    payload = {"password_hash": row.password_hash, "name": row.name, "email": row.email}
    return otp.OtpCheck(otp.OtpStatus.OK, payload=payload)
