"""The catalogue: categories, services with their fees, variations."""

from __future__ import annotations

from pydantic import BaseModel, Field

from gateway.api.schemas.common import CategoryId, Money, Request, ServiceId


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
