"""Back office look-ups for the operator console: a customer's purchases by phone, a
purchase's audit trail (every VTPass exchange), and our VTPass float. Read-only."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from gateway.api import deps
from gateway.api.auth import Principal
from gateway.api.openapi import Operations
from gateway.api.present import operator_purchase_out
from gateway.api.schemas import Money, OperatorPurchaseOut, OperatorPurchasePath, Phone, Request
from gateway.api.times import Timestamp
from gateway.phones import Msisdn, normalize_phone
from gateway.store import purchases as store
from gateway.store import users

ops = Operations(
    "operator look-ups",
    "Read-only back office look-ups: needs the `operator` role.",
    role="operator",
)
PHONE_LIMIT = 50


class PhoneQuery(Request):
    phone: Phone


class OperatorPurchaseList(BaseModel):
    items: list[OperatorPurchaseOut] = Field(description="Newest first, at most 50.")


class AuditLineOut(BaseModel):
    at: Timestamp
    op: str = Field(description="`pay`, `requery`, `webhook` or `settle`.")
    outcome: str | None
    http_status: int | None
    provider_code: str | None = Field(description="VTPass's `code` in its answer, if any.")
    provider_message: str | None = Field(description="VTPass's `response_description`.")


class AuditTrailOut(BaseModel):
    purchase_id: int
    reference: str
    items: list[AuditLineOut]


class FloatOut(BaseModel):
    balance: Money = Field(description="Our VTPass wallet, from which every purchase is paid.")


@ops.route(
    "GET",
    "/api/v1/operator/purchases",
    summary="A customer's purchases, by the buyer's phone",
    responses={200: OperatorPurchaseList},
)
async def operator_purchases_by_phone(
    request: web.Request, _principal: Principal, query: PhoneQuery
) -> OperatorPurchaseList:
    """The purchases of the account with this phone, newest first; none for an unknown phone."""
    async with deps.db(request)() as session:
        user = await users.find_by_phone(session, Msisdn(normalize_phone(query.phone)))
        records = (
            [] if user is None else await store.list_for_user(session, user.id, limit=PHONE_LIMIT)
        )
    return OperatorPurchaseList(items=[operator_purchase_out(r) for r in records])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:200]


@ops.route(
    "GET",
    "/api/v1/operator/purchases/{purchase_id}/audit",
    summary="A purchase's audit trail: every exchange with VTPass, oldest first",
    responses={200: AuditTrailOut},
)
async def operator_purchase_audit(
    request: web.Request, _principal: Principal, path: OperatorPurchasePath
) -> AuditTrailOut:
    """`purchase_id` is the id or the reference. Credentials were removed when recorded."""
    found = await deps.purchases(request).find(path.purchase_id)
    async with deps.db(request)() as session:
        trail = await store.audit_trail(session, found.id)
    items = []
    for line in trail:
        answer = line.response if isinstance(line.response, dict) else {}
        items.append(
            AuditLineOut(
                at=line.at,
                op=line.op,
                outcome=line.outcome,
                http_status=line.http_status,
                provider_code=_text(answer.get("code")),
                provider_message=_text(answer.get("response_description")),
            )
        )
    return AuditTrailOut(purchase_id=found.id, reference=found.reference, items=items)


@ops.route(
    "GET",
    "/api/v1/operator/float",
    summary="Our VTPass float: the balance every purchase is paid from",
    responses={200: FloatOut},
    errors=(502, 503),
)
async def operator_float(request: web.Request, _principal: Principal) -> FloatOut:
    """Asked of VTPass now (502/503 when it cannot answer)."""
    return FloatOut(balance=Money.of(await deps.vtpass(request).balance()))
