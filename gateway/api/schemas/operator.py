"""Operators' tools: crediting wallets, account status, purchases, reconciliation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gateway.api.schemas.common import MAX_ID, Kobo, Money, Name, Phone, Request
from gateway.api.schemas.orders import PurchaseOut
from gateway.api.times import Timestamp


class OperatorPurchasePath(Request):
    purchase_id: str = Field(
        pattern=r"^([1-9][0-9]{0,17}|[Pp][Ll]-[0-9A-Za-z]{8})$",
        description="The purchase's id or its reference (`PL-7KQ2M9XD`).",
    )


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
