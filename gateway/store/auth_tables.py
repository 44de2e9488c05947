"""Tables of the REST API's sign-up: pending registrations and one-time codes that prove a phone.

A separate module (same `Base`, same metadata) so the money schema in `tables.py` stays as it
is; `gateway.store` imports it so Alembic and the model checks always see it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CheckConstraint, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.tables import Base, IdType, JsonType, UtcDateTime, one_of

# pin_reset: security/pin_reset.py; email_change: security/email_change.py
OTP_PURPOSES = ("register", "pin_reset", "email_change")


class OtpCode(Base):
    """The live code for one (phone, purpose); a new code replaces the old one.

    `code_hash` is an HMAC of the code under a server key (see `gateway.security.otp`), never
    the code. `payload` holds what the code unlocks: for sign-up, the password hash, name and
    email, applied only once the phone is proven.
    """

    __tablename__ = "otp_codes"
    __table_args__ = (
        UniqueConstraint("phone", "purpose"),
        CheckConstraint(one_of("purpose", OTP_PURPOSES), name="purpose"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


otp_codes_table = cast(Table, OtpCode.__table__)


class Registration(Base):
    """One pending web sign-up: its own code, its own tries, its own payload.

    A phone may have several at once (the owner's and anyone else's who typed that number);
    `public_id` is the unguessable handle the client verifies with, so a later sign-up can
    neither replace an earlier one's password nor spend its tries. `code_hash` is an HMAC bound
    to the phone and the `public_id` (see `gateway.security.registrations`).
    """

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_registrations_phone", "phone"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


registrations_table = cast(Table, Registration.__table__)
