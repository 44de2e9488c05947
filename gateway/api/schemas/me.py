"""The signed-in user: profile, email change and transaction PIN."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from gateway.api.schemas.common import Email, LoginPassword, Name, Pin, Request, string_only
from gateway.api.times import Timestamp


class PinState(StrEnum):
    SET = "set"
    NOT_SET = "not_set"
    LOCKED = "locked"


class ProfileOut(BaseModel):
    id: int
    phone: str
    name: str | None
    email: str | None
    role: Literal["user", "operator", "admin"]
    status: Literal["active", "suspended", "closed"]
    pin: PinState
    pin_locked_until: Timestamp | None
    pin_reset_required: bool = Field(
        default=False,
        description="Locked until the PIN is reset (`POST /api/v1/me/pin/reset`, or by SMS code).",
    )
    created_at: Timestamp


def _null_only(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
    schema.pop("anyOf", None)
    schema["type"] = "null"


class ProfileUpdateIn(Request):
    """Only the fields sent change; `"email": null` removes the email (a name stays). A new
    email is set by `POST /api/v1/me/email` and its SMS code, not here."""

    # absent: unchanged; null is refused, so the schema shows neither null nor a default
    name: Name | None = Field(default=None, json_schema_extra=string_only)
    email: None = Field(default=None, json_schema_extra=_null_only)


class EmailChangeIn(Request):
    email: Email


class EmailChangeOut(BaseModel):
    """A pending change: the address is not yours until the code is confirmed."""

    pending_email: str = Field(examples=["ada@example.com"])
    code_expires_at: Timestamp
    message: str


class EmailConfirmIn(Request):
    code: str = Field(pattern=r"^[0-9]{6}$", repr=False, description="The 6-digit SMS code.")


class PinIn(Request):
    pin: Pin = Field(repr=False)
    current_pin: Pin | None = Field(
        default=None,
        repr=False,
        description="Required to change an existing PIN (wrong ones count).",
    )


class PinResetIn(Request):
    """The account password proves the owner; `pin` is the new PIN."""

    password: LoginPassword = Field(repr=False)
    pin: Pin = Field(repr=False)


class PinResetCodeIn(Request):
    """The code texted by `POST /api/v1/me/pin/reset/request`; `pin` is the new PIN."""

    code: str = Field(pattern=r"^[0-9]{6}$", repr=False, description="The 6-digit SMS code.")
    pin: Pin = Field(repr=False)


class PinResetRequestOut(BaseModel):
    code_expires_at: Timestamp
    message: str


class SmsSettingsOut(BaseModel):
    """Your SMS settings."""

    purchases: bool = Field(
        description="Text commands (`AIRTIME 500`, `LIGHT IKEJA ...`) may buy, each confirmed"
        " by replying with your PIN. Off until you turn it on."
    )
    notices: bool = Field(
        description="Notices other than receipts and codes come by SMS; text STOP or START to"
        " PayLink to change it."
    )


class SmsPurchasesIn(Request):
    """Turn purchases by SMS on or off; your PIN confirms it (a wrong one counts)."""

    enabled: bool
    pin: Pin = Field(repr=False)
