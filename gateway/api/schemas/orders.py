"""Orders: quotes, purchases and the transaction history."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from gateway.api.schemas.common import (
    MAX_ID,
    CategoryId,
    CustomerRef,
    Kobo,
    Links,
    Money,
    PageQuery,
    Pin,
    Quantity,
    Recipient,
    Request,
    ServiceId,
    VariationCode,
)
from gateway.api.times import DateOrTime, Timestamp


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
