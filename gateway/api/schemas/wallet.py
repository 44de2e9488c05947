"""The wallet balance and its statement."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gateway.api.schemas.common import Links, Money
from gateway.api.times import Timestamp


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
