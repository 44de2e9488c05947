"""Request and response models of the REST API (pydantic), the source of `/api/schema`.

Money is always an object: integer kobo (what to compute with) plus the display string
(`₦1,500.00`). Phones are accepted as 08031234567, 2348031234567 or +2348031234567 and returned
in E.164. Request bodies refuse unknown fields, so a typo is an error rather than ignored, and
are taken as sent (nothing stripped): the patterns and lengths here are the whole rule. Every
timestamp sent is `gateway.api.times.Timestamp` (RFC 3339, UTC, milliseconds, `Z`).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from gateway.api.times import DateOrTime, Timestamp
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


def _string_only(schema: dict[str, Any]) -> None:
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


# -- auth ---------------------------------------------------------------------------------------


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

    phone: Phone | None = Field(default=None, json_schema_extra=_string_only)
    email: Email | None = Field(default=None, json_schema_extra=_string_only)
    password: LoginPassword = Field(repr=False)

    @model_validator(mode="after")
    def _one_identifier(self) -> LoginIn:
        sent = self.model_fields_set & {"phone", "email"}
        if len(sent) != 1 or getattr(self, sent.pop()) is None:
            raise ValueError("give exactly one of phone and email")
        return self


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int = Field(description="Seconds the access token lives.")
    refresh_expires_in: int = Field(description="Seconds the refresh token lives.")


class RefreshIn(Request):
    refresh_token: Token = Field(repr=False)


class LogoutIn(Request):
    refresh_token: Token | None = Field(
        default=None,
        repr=False,
        description="Also revoked when given; the access token's session is ended either way.",
    )


# -- me -------------------------------------------------------------------------------------------


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
    name: Name | None = Field(default=None, json_schema_extra=_string_only)
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


# -- wallet ---------------------------------------------------------------------------------------


class PageQuery(Request):
    """Unknown query parameters are refused (422), so a typo like `pagesize` is not ignored."""

    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=20, ge=1, le=100)


class WalletOut(BaseModel):
    balance: Money
    currency: Literal["NGN"] = "NGN"


class StatementLineOut(BaseModel):
    journal_id: int
    kind: str = Field(examples=["credit", "purchase_debit", "purchase_refund"])
    direction: Literal["credit", "debit"]
    amount: Money
    purchase_id: int | None
    memo: str | None
    created_at: Timestamp


class StatementPage(BaseModel):
    items: list[StatementLineOut]
    page: int
    page_size: int
    total: int
    total_pages: int
    links: Links


# -- catalogue ------------------------------------------------------------------------------------


class CategoryOut(BaseModel):
    identifier: str
    name: str


class CategoryList(BaseModel):
    items: list[CategoryOut]


class FeeOut(BaseModel):
    """The fee a purchase of the service is charged: `flat` + `percent_bp` of the face value
    (the percentage part at most `percent_cap`); a quote works it out for an order."""

    flat: Money
    percent_bp: int = Field(
        description="Percent of the face value in basis points: 150 = 1.5 %.", examples=[0]
    )
    percent_cap: Money | None


class ServiceOut(BaseModel):
    service_id: str
    name: str
    category: str
    product_type: str = Field(description="`fix`: priced by variation; `flexible`: any amount.")
    min_amount: Money | None
    max_amount: Money | None
    convenience_fee: str = Field(
        description="PayLink's fee per purchase in words (`₦100.00`, `1.5 %`, `none`).",
        examples=["₦100.00"],
    )
    fee: FeeOut
    image: str | None


class ServiceList(BaseModel):
    items: list[ServiceOut]


class VariationOut(BaseModel):
    code: str
    name: str
    amount: Money
    fixed_price: bool


class VariationList(BaseModel):
    items: list[VariationOut]


class CategoryPath(Request):
    category: CategoryId


class ServicePath(Request):
    service_id: ServiceId


# -- verify ---------------------------------------------------------------------------------------

CustomerRef = Annotated[str, Field(pattern=r"^[0-9A-Za-z-]{4,32}$")]


class MeterVerifyIn(Request):
    service_id: ServiceId = Field(description="An electricity service, e.g. `ikeja-electric`.")
    meter_number: CustomerRef
    meter_type: Literal["prepaid", "postpaid"]


class SmartcardVerifyIn(Request):
    service_id: ServiceId = Field(description="A TV service, e.g. `dstv`.", examples=["dstv"])
    smartcard_number: CustomerRef


class ProfileVerifyIn(Request):
    service_id: ServiceId = Field(
        default="jamb", description="An education service, e.g. `jamb`.", examples=["jamb"]
    )
    profile_id: CustomerRef
    variation_code: VariationCode = Field(
        description="The product the profile is for, e.g. `utme-mock`.", examples=["utme-mock"]
    )


class VerifyOut(BaseModel):
    """`valid: false` (with `message`) is an answer, not an error: the number is wrong."""

    valid: bool
    message: str | None = None
    customer_name: str | None = None
    address: str | None = None
    meter_number: str | None = None
    customer_number: str | None = None
    meter_type: str | None = None
    account_type: str | None = None
    status: str | None = None
    due_date: str | None = None
    current_bouquet: str | None = None
    current_bouquet_code: str | None = None
    renewal_amount: Money | None = None
    min_amount: Money | None = None


# -- purchases ------------------------------------------------------------------------------------


class PurchaseStatusName(StrEnum):
    INITIATED = "initiated"
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    REVERSED = "reversed"


class OrderIn(Request):
    """What to buy; the server prices it (a quote is this without the PIN). Price-listed plans
    (data, bouquets, exam PINs, x `quantity`) cost the catalogue's price; a DStv/GOtv renewal
    (`subscription_type: renew`) costs the renewal amount of your last smartcard verify (verify
    first). `amount` is needed only for open amounts (airtime, electricity), within the
    product's bounds; sent for anything else it must equal the server's price, or the request
    is refused (422 `price_mismatch`, naming the price). `subscription_type` is for DStv and
    GOtv only (a bouquet's `variation_code` without it means `change`). `customer_ref` is
    required for electricity (meter), DStv/GOtv/Startimes (smartcard), JAMB (profile ID),
    Smile and Spectranet (account): without it 422 `missing_field` (`details.fields`); data
    and airtime are credited to `phone`."""

    service_id: ServiceId
    variation_code: VariationCode | None = None
    amount: Kobo | None = Field(default=None, description="Kobo per unit; see above.")
    quantity: Quantity = 1
    phone: Recipient | None = Field(
        default=None, description="Recipient (airtime, data) or contact; defaults to yours."
    )
    customer_ref: CustomerRef | None = Field(
        default=None, description="Meter, smartcard or profile number, where the product has one."
    )
    subscription_type: Literal["renew", "change"] | None = None


class PurchaseIn(OrderIn):
    """What to buy, confirmed with your PIN (see `OrderIn`; `POST /api/v1/quotes` prices the
    same body without the PIN)."""

    pin: Pin = Field(repr=False)


class QuoteIn(OrderIn):
    """What you would buy: a purchase body without the PIN."""


class QuoteOut(BaseModel):
    """What a purchase of this body would charge now, from the same pricing as the purchase."""

    service_id: str
    category: str
    product: str = Field(description="The label receipts and your history will show.")
    variation_code: str | None
    customer_ref: str | None
    subscription_type: str | None
    phone: str
    quantity: int
    unit_price: Money = Field(description="The price of one unit.")
    face_amount: Money = Field(description="Face value of all units (`unit_price` x `quantity`).")
    fee: Money = Field(description="PayLink's convenience fee.")
    discount: Money
    total: Money = Field(description="What the wallet would be debited: face + fee - discount.")


class PurchasePath(Request):
    purchase_id: int = Field(ge=1, le=MAX_ID)


# `PL-` and 8 of 23456789ABCDEFGHJKMNPQRSTVWXYZ (gateway.purchases.references)
PurchaseReference = Annotated[
    str, Field(pattern=r"^PL-[2-9A-HJKMNP-TV-Z]{8}$", examples=["PL-7KQ2M9XD"])
]


class OperatorPurchasePath(Request):
    purchase_id: str = Field(
        pattern=r"^([1-9][0-9]{0,17}|[Pp][Ll]-[0-9A-Za-z]{8})$",
        description="The purchase's id or its reference (`PL-7KQ2M9XD`).",
    )


class PurchaseOut(BaseModel):
    id: int
    status: PurchaseStatusName
    category: str
    service_id: str
    product: str
    variation_code: str | None
    customer_ref: str | None
    subscription_type: str | None
    phone: str
    quantity: int
    amount: Money = Field(description="Face value of all units.")
    fee: Money
    discount: Money
    total: Money = Field(description="What the wallet was debited.")
    token: str | None = Field(description="Electricity token, once delivered.")
    units: str | None
    pins: list[str] = Field(description="Exam PINs or vouchers, once delivered.")
    failure_reason: str | None
    reference: PurchaseReference = Field(
        description="The purchase's one reference, for good: the same in the SMS receipt, the"
        " USSD acknowledgement and the CLI; quote it to support."
    )
    channel: str
    created_at: Timestamp
    updated_at: Timestamp
    settled_at: Timestamp | None


class Ordering(StrEnum):
    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    AMOUNT = "amount"
    AMOUNT_DESC = "-amount"
    STATUS = "status"
    STATUS_DESC = "-status"
    ID = "id"
    ID_DESC = "-id"


class TransactionQuery(PageQuery):
    status: PurchaseStatusName | None = None
    category: CategoryId | None = None
    service_id: ServiceId | None = None
    customer_ref: CustomerRef | None = None
    reference: str | None = Field(
        default=None,
        pattern=r"^[Pp][Ll]-[0-9A-Za-z]{8}$",
        description="The purchase's reference (`PL-7KQ2M9XD`, any case): at most one match.",
    )
    created_from: DateOrTime | None = Field(
        default=None,
        description="Inclusive: a timestamp with a timezone (`2026-12-01T00:00:00Z`), or a "
        "calendar day (`2026-12-01`) meaning from that day's start in Lagos.",
    )
    created_to: DateOrTime | None = Field(
        default=None,
        description="A timestamp is exclusive (`2026-12-08T00:00:00Z`); a calendar day "
        "(`2026-12-07`) is inclusive: up to that day's end in Lagos.",
    )
    ordering: Ordering = Field(
        default=Ordering.CREATED_AT_DESC,
        description="`amount` orders by the total paid; ties are broken by id.",
    )


class TransactionPage(BaseModel):
    items: list[PurchaseOut]
    page: int
    page_size: int
    total: int = Field(description="How many transactions match the filters.")
    total_pages: int
    total_amount: Money = Field(
        description="What was paid: the sum of `total` over every match that is delivered, "
        "pending or initiated. Failed and reversed purchases were refunded and count nothing."
    )
    links: Links


# -- operators ------------------------------------------------------------------------------------


class CreditIn(Request):
    phone: Phone
    amount: Kobo
    reference: str = Field(
        pattern=r"^[A-Za-z0-9._:/-]{1,120}$",
        description="Your unique reference (e.g. the bank transfer's); a retry is a no-op.",
    )
    name: Name | None = None


class CreditOut(BaseModel):
    user_id: int
    phone: str
    balance: Money
    created: bool = Field(description="False: this reference was credited before.")


class UserPath(Request):
    user_id: int = Field(ge=1, le=MAX_ID)


class UserStatusOut(BaseModel):
    user_id: int
    phone: str
    role: Literal["user", "operator", "admin"]
    status: Literal["active", "suspended", "closed"]


class OperatorPurchaseOut(PurchaseOut):
    user_id: int
    buyer_phone: str | None
    request_id: str = Field(description="The provider's request id (reissued after midnight).")
    vtpass_transaction_id: str | None
    vtpass_code: str | None
    attempts: int
    needs_review: bool
    next_requery_at: Timestamp | None
    pay_sent_at: Timestamp | None


class DiscrepancyOut(BaseModel):
    check: str
    subject: str
    detail: str


class ReconciliationOut(BaseModel):
    ok: bool
    journals_checked: int
    wallets_checked: int
    purchases_checked: int
    discrepancies: list[DiscrepancyOut]
