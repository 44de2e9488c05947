"""Check a meter, smartcard or exam profile before buying: who it belongs to.

A wrong number is an answer, not an error: 200 with `valid: false` and a `message` to show,
because "this meter number is wrong" is exactly what the screen needs to say. Errors (4xx/5xx)
are kept for bad requests and for the provider being unreachable.
"""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps
from gateway.api.auth import Principal
from gateway.api.openapi import Operations
from gateway.api.products import service_in
from gateway.api.schemas import (
    MeterVerifyIn,
    ProfileVerifyIn,
    SmartcardVerifyIn,
    VerifyOut,
    money,
)
from gateway.errors import UpstreamRejected
from gateway.vtpass.codes import ResponseCode as Code
from gateway.vtpass.models import CustomerInfo

ops = Operations("verify", "Look up a meter, smartcard or exam profile before paying.")
_ERRORS = (502, 503)
# refusal codes that mean "this number/product is wrong" rather than "we are misconfigured"
_NOT_VALID_CODES = frozenset(
    {Code.INVALID_ARGUMENTS, Code.PRODUCT_NOT_FOUND, Code.TRANSACTION_FAILED}
)


async def _lookup(
    request: web.Request, service_id: str, customer_ref: str, kind: str | None
) -> CustomerInfo:
    try:
        return await deps.vtpass(request).verify(service_id, customer_ref, kind)
    except UpstreamRejected as exc:
        if exc.upstream_code not in _NOT_VALID_CODES:
            raise
        return CustomerInfo(valid=False, error="The provider could not verify this number.")


async def _verify(
    request: web.Request, service_id: str, customer_ref: str, kind: str | None
) -> VerifyOut:
    return _out(await _lookup(request, service_id, customer_ref, kind))


def _out(info: CustomerInfo) -> VerifyOut:
    if not info.valid:
        return VerifyOut(valid=False, message=info.error or "This number is not valid.")
    return VerifyOut(
        valid=True,
        customer_name=info.customer_name,
        address=info.address,
        meter_number=info.meter_number,
        customer_number=info.customer_number,
        meter_type=info.meter_type,
        account_type=info.account_type,
        status=info.status,
        due_date=info.due_date,
        current_bouquet=info.current_bouquet,
        current_bouquet_code=info.current_bouquet_code,
        renewal_amount=money(info.renewal_amount),
        min_amount=money(info.min_amount),
    )


@ops.route(
    "POST",
    "/api/v1/verify/meter",
    summary="Verify an electricity meter",
    responses={200: VerifyOut},
    errors=_ERRORS,
)
async def verify_meter(
    request: web.Request, _principal: Principal, body: MeterVerifyIn
) -> VerifyOut:
    catalogue = deps.vtpass(request).catalogue
    await service_in(catalogue, body.service_id, "electricity-bill")
    return await _verify(request, body.service_id, body.meter_number, body.meter_type)


@ops.route(
    "POST",
    "/api/v1/verify/smartcard",
    summary="Verify a TV smartcard (IUC) number",
    responses={200: VerifyOut},
    errors=_ERRORS,
)
async def verify_smartcard(
    request: web.Request, principal: Principal, body: SmartcardVerifyIn
) -> VerifyOut:
    """Valid answers include the current bouquet and its renewal amount (DStv, GOtv). That
    amount is kept for you for 30 minutes: a renewal (`subscription_type: renew`) bought within
    them is charged exactly it; after them, verify again (else 422 `verification_required`)."""
    catalogue = deps.vtpass(request).catalogue
    await service_in(catalogue, body.service_id, "tv-subscription")
    info = await _lookup(request, body.service_id, body.smartcard_number, None)
    await deps.pricer(request).remember_verification(
        principal.user_id, body.service_id, body.smartcard_number, info
    )
    return _out(info)


@ops.route(
    "POST",
    "/api/v1/verify/profile",
    summary="Verify a JAMB profile id",
    responses={200: VerifyOut},
    errors=_ERRORS,
)
async def verify_profile(
    request: web.Request, _principal: Principal, body: ProfileVerifyIn
) -> VerifyOut:
    catalogue = deps.vtpass(request).catalogue
    await service_in(catalogue, body.service_id, "education")
    return await _verify(request, body.service_id, body.profile_id, body.variation_code)
