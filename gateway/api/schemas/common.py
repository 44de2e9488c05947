"""The types every resource's models share: the request base, money, errors, links, and the
constrained strings and integers (see the package docstring for the rules they carry)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
)

from gateway.money import format_rich
from gateway.phones import normalize_phone, normalize_recipient

MAX_ID = 2**63 - 1  # BIGINT: a larger id can never exist, and must not reach the driver
MAX_KOBO = 10**12  # ₦10bn: far above any limit, far below BIGINT


def _phone(value: str) -> str:
    return normalize_phone(value)


# What `Request` refuses in any string (Unicode category Cc), and the blanks a name may not
# start or end with, spelled out so JSON Schema (ECMA-262), hypothesis (Python `re`) and
# pydantic (Rust `regex`) read the same set; `\s` differs between them.
_CTRL = r"\x00-\x1f\x7f-\x9f"
_BLANK = r" \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
PRINTABLE_PATTERN = f"^[^{_CTRL}]*$"
NAME_PATTERN = f"^[^{_CTRL}{_BLANK}](?:[^{_CTRL}]*[^{_CTRL}{_BLANK}])?$"
EMAIL_PATTERN = r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$"  # printable ASCII but space and `@`


Phone = Annotated[
    str,
    Field(
        pattern=r"^(\+?234|0)[789][01][0-9]{8}$",
        examples=["08031234567"],
        description="A Nigerian mobile number: 08031234567, 2348031234567 or +2348031234567.",
    ),
    AfterValidator(_phone),
]
Recipient = Annotated[
    str,
    Field(
        pattern=r"^((\+?234|0)[789][01][0-9]{8}|201000000000|[345]00000000000)$",
        examples=["08031234567"],
        description=(
            "A Nigerian mobile number: 08031234567, 2348031234567 or +2348031234567. Against"
            " the VTPass simulator or sandbox (never live) also a sandbox scenario number:"
            " 201000000000 pending, 500000000000 unexpected answer, 400000000000 no answer,"
            " 300000000000 timeout (422 `invalid_input` live)."
        ),
    ),
    AfterValidator(lambda value: normalize_recipient(value, sandbox=True)),
]
Email = Annotated[
    str,
    StringConstraints(to_lower=True, max_length=254),
    Field(
        pattern=EMAIL_PATTERN,
        examples=["ada@example.com"],
        description="ASCII, no spaces; stored in lower case.",
    ),
]
Name = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=NAME_PATTERN,
        examples=["Ada Obi"],
        description="No control characters; no blank at either end.",
    ),
]
# Taken exactly as typed: spaces count (`Request` strips nothing); only control characters are
# refused, as everywhere.
Password = Annotated[
    str,
    Field(
        min_length=8,
        max_length=128,
        pattern=PRINTABLE_PATTERN,
        json_schema_extra={"writeOnly": True},
        description="8 to 128 characters, exactly as typed (spaces count); no control characters.",
    ),
]
LoginPassword = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        pattern=PRINTABLE_PATTERN,
        json_schema_extra={"writeOnly": True},
        description="Exactly as typed at sign-up.",
    ),
]
Token = Annotated[str, Field(min_length=1, max_length=4096, pattern=PRINTABLE_PATTERN)]
Pin = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{4}$",
        json_schema_extra={"writeOnly": True},
        description="The 4-digit transaction PIN (the same one as on USSD).",
    ),
]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
ServiceId = Annotated[str, Field(pattern=SLUG_PATTERN, examples=["ikeja-electric"])]
CategoryId = Annotated[str, Field(pattern=SLUG_PATTERN, examples=["electricity-bill"])]
VariationCode = Annotated[str, Field(pattern=SLUG_PATTERN, examples=["prepaid"])]


# Body integers are strict: `true`, `"10000"`, `1000.0` and `1000.5` are 422, never read as a
# number (bool is an int in Python; lax mode would buy 1 kobo of airtime for `"amount": true`;
# a decimal point says the client computed the figure in floating point). JSON Schema counts
# `1000.0` as an integer, so the descriptions say it is refused.
# Path and query integers stay lax: they arrive as strings.
# (the bounds sit inside the validator, so the schema shows them as JSON Schema keywords)
Kobo = Annotated[
    StrictInt,
    Field(
        gt=0,
        le=MAX_KOBO,
        description="Integer kobo (₦1 = 100), written as a JSON integer: `1000.0` is refused.",
    ),
]
Quantity = Annotated[StrictInt, Field(ge=1, le=10, description="A JSON integer: `1.0` is refused.")]


def string_only(schema: dict[str, Any]) -> None:
    # the view refuses an explicit null, so the schema shows a plain string without a default
    schema.pop("default", None)
    branches = schema.pop("anyOf", None) or []
    for branch in branches:
        if branch != {"type": "null"}:
            schema.update(branch)


class Request(BaseModel):
    # Nothing is stripped: what the schema's lengths and patterns allow is exactly what is
    # accepted, and a password is the one typed.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _printable_text(cls, value: object) -> object:
        # NUL and lone surrogates cannot be stored (Postgres text, UTF-8) or hashed: refuse
        # them here as a 422 instead of failing deep inside as a 500.
        if isinstance(value, str) and any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
            raise ValueError("must not contain control characters")
        return value


class Money(BaseModel):
    kobo: int = Field(description="Integer kobo (₦1 = 100).")
    formatted: str = Field(examples=["₦1,500.00"])

    @classmethod
    def of(cls, amount: int) -> Money:
        return cls(kobo=amount, formatted=format_rich(amount))


def money(amount: int | None) -> Money | None:
    return None if amount is None else Money.of(amount)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["validation_error"])
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    """Every error, whatever the status."""

    error: ErrorDetail


class Links(BaseModel):
    self: str
    first: str
    last: str
    next: str | None = None
    prev: str | None = None


class PageQuery(Request):
    """Unknown query parameters are refused (422), so a typo like `pagesize` is not ignored."""

    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=20, ge=1, le=100)


CustomerRef = Annotated[str, Field(pattern=r"^[0-9A-Za-z-]{4,32}$")]
