"""Verifying a meter, smartcard or exam profile before buying."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gateway.api.schemas.common import CustomerRef, Money, Request, ServiceId, VariationCode


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
