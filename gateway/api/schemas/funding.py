"""Funding a wallet through Paystack: a card checkout, its quote, and the user's own account."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gateway.api.schemas.common import MAX_KOBO, Kobo, Money, Request
from gateway.api.times import Timestamp

FundingReference = Field(pattern=r"^[A-Za-z0-9.=-]{1,100}$", examples=["PLF-7Q2M4X9KD3RT"])


class FundingIn(Request):
    amount: Kobo = Field(description="What you will pay at the checkout, in kobo.")


class FundingQuoteQuery(Request):
    amount: int = Field(gt=0, le=MAX_KOBO, description="What you would pay, in kobo.")


class FundingQuoteOut(BaseModel):
    amount: Money = Field(description="What you pay at the checkout.")
    fee: Money = Field(description="Paystack's fee on it.")
    credit_amount: Money = Field(description="What reaches your wallet.")
    fee_bearer: Literal["customer", "paylink"]


class FundingPath(Request):
    reference: str = FundingReference


class FundingOut(BaseModel):
    reference: str = Field(examples=["PLF-7Q2M4X9KD3RT"])
    kind: Literal["card", "transfer"]
    status: Literal["open", "credited", "failed", "abandoned", "review", "reversed"] = Field(
        description="`open` until paid and verified; `review`: held for PayLink staff to check."
    )
    amount: Money
    fee: Money
    credit_amount: Money = Field(description="What reaches (or reached) your wallet.")
    checkout_url: str | None = Field(description="Send the payer here (card fundings).")
    created_at: Timestamp
    credited_at: Timestamp | None


class DedicatedAccountOut(BaseModel):
    status: Literal["pending", "active", "failed"] = Field(
        description="`pending`: being set up; ask again in a minute."
    )
    bank: str | None = Field(examples=["Wema Bank"])
    account_number: str | None = Field(examples=["9930000737"])
    account_name: str | None = Field(examples=["PAYLINK/ADA OBI"])
    fee_note: str = Field(description="What a transfer costs before it reaches the wallet.")
