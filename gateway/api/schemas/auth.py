"""Sign-up, phone verification, login and tokens."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.api.schemas.common import (
    Email,
    LoginPassword,
    Name,
    Password,
    Phone,
    Request,
    Token,
    string_only,
)
from gateway.api.times import Timestamp


class RegisterIn(Request):
    phone: Phone
    password: Password = Field(repr=False)
    name: Name
    email: Email | None = None


RegistrationId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{16,64}$",
        examples=["q2xA7Zc0c3u9PjzJ1mX2b8WkQn4TfY6s"],
        description="The `registration_id` that `register` returned for this sign-up.",
    ),
]


class RegisterOut(BaseModel):
    registration_id: str = Field(
        description="Send it back with the code to `verify-phone`: only this sign-up's details "
        "(password, name, email) are applied. Each `register` gets its own id and code."
    )
    phone: str = Field(description="E.164.")
    status: Literal["verification_required"] = "verification_required"
    code_expires_at: Timestamp
    message: str


class VerifyPhoneIn(Request):
    phone: Phone
    code: str = Field(pattern=r"^[0-9]{6}$", description="The 6-digit code sent by SMS.")
    registration_id: RegistrationId


class LoginIn(Request):
    """Exactly one of `phone` and `email` (neither may be null)."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["phone"]}, {"required": ["email"]}]}
    )

    phone: Phone | None = Field(default=None, json_schema_extra=string_only)
    email: Email | None = Field(default=None, json_schema_extra=string_only)
    password: LoginPassword = Field(repr=False)

    @model_validator(mode="after")
    def _one_identifier(self) -> LoginIn:
        sent = self.model_fields_set & {"phone", "email"}
        if len(sent) != 1 or getattr(self, sent.pop()) is None:
            raise ValueError("give exactly one of phone and email")
        return self


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str = Field(
        description="Empty when it was set as the `paylink_refresh` cookie instead "
        "(request header `X-PayLink-Session: cookie`, the web app)."
    )
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int = Field(description="Seconds the access token lives.")
    refresh_expires_in: int = Field(description="Seconds the refresh token lives.")


class RefreshIn(Request):
    refresh_token: Token | None = Field(
        default=None,
        repr=False,
        json_schema_extra=string_only,
        description="Required, except from the web app, whose token is its session cookie "
        "(`X-PayLink-Session: cookie`).",
    )


class LogoutIn(Request):
    refresh_token: Token | None = Field(
        default=None,
        repr=False,
        description="Also revoked when given; the access token's session is ended either way.",
    )
