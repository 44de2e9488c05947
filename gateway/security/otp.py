"""Six-digit one-time codes that prove a phone number: issue, text, check.

A code lives 10 minutes and allows 5 tries; a new code for the same phone and purpose replaces
the old one. It is stored as an HMAC-SHA256 under a server key, bound to the phone and the
purpose: a million possible codes make any unkeyed hash trivially reversible, while the key
never leaves the process (it is derived from the JWT secret, so on the embedded default a
restart voids open codes, exactly as it voids tokens). The code travels by SMS through the
notifications outbox, written in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store import outbox
from gateway.store.auth_tables import otp_codes_table
from gateway.texts import account

CODE_DIGITS = 6
TTL = timedelta(minutes=10)
TTL_MINUTES = int(TTL.total_seconds() // 60)  # as the SMS says it
MAX_ATTEMPTS = 5
_C = otp_codes_table.c


class OtpStatus(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # `attempts_left` more tries
    GONE = "gone"  # no live code: never sent, expired, used, or out of tries


@dataclass(frozen=True, slots=True)
class OtpCheck:
    status: OtpStatus
    attempts_left: int = 0
    payload: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status is OtpStatus.OK


def derive_key(secret: str) -> bytes:
    """A key for code MACs only, separate from the token-signing use of the same secret."""
    return hmac.new(secret.encode(), b"paylink otp v1", hashlib.sha256).digest()


def _mac(key: bytes, phone: str, purpose: str, code: str) -> str:
    message = f"{purpose}\x00{phone}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def sms_text(code: str) -> str:
    """The code's SMS (`texts.account.one_time_code`, with this module's lifetime)."""
    return account.one_time_code(code, TTL_MINUTES).body


async def issue(
    session: AsyncSession,
    *,
    key: bytes,
    phone: str,
    purpose: str,
    now: datetime,
    payload: Mapping[str, Any] | None = None,
    user_id: int | None = None,
    text: Callable[[str], str] = sms_text,
) -> datetime:
    """Replace any live code for (phone, purpose) with a new one and queue its SMS, `text(code)`.

    Returns when the code expires. The code itself only exists in the outbox's SMS body.
    """
    code = new_code()
    expires_at = now + TTL
    await session.execute(delete(otp_codes_table).where(_C.phone == phone, _C.purpose == purpose))
    await session.execute(
        otp_codes_table.insert().values(
            phone=phone,
            purpose=purpose,
            code_hash=_mac(key, phone, purpose, code),
            attempts=0,
            payload=dict(payload) if payload is not None else None,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await outbox.enqueue(session, phone=phone, body=text(code), at=now, user_id=user_id)
    return expires_at


async def consume(
    session: AsyncSession, *, key: bytes, phone: str, purpose: str, code: str, now: datetime
) -> OtpCheck:
    """Check `code`; a match deletes it (one use). Every try is counted atomically first.

    The caller must commit even when the answer is WRONG, or the try is not counted.
    """
    row = (
        await session.execute(
            otp_codes_table.update()
            .where(
                _C.phone == phone,
                _C.purpose == purpose,
                _C.expires_at > now,
                _C.attempts < MAX_ATTEMPTS,
            )
            .values(attempts=_C.attempts + 1)
            .returning(_C.id, _C.code_hash, _C.attempts, _C.payload)
        )
    ).first()
    if row is None:
        return OtpCheck(OtpStatus.GONE)
    code_id, code_hash, attempts, payload = row
    if not hmac.compare_digest(code_hash, _mac(key, phone, purpose, code)):
        left = MAX_ATTEMPTS - int(attempts)
        return OtpCheck(OtpStatus.WRONG if left > 0 else OtpStatus.GONE, left)
    await session.execute(delete(otp_codes_table).where(_C.id == code_id))
    return OtpCheck(OtpStatus.OK, payload=dict(payload or {}))
