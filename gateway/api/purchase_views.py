"""Buying: submit a purchase (idempotent, PIN-confirmed) and poll its status."""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps, queries
from gateway.api.auth import Principal
from gateway.api.openapi import HttpReply, Operations
from gateway.api.pin_errors import pin_refusal
from gateway.api.present import purchase_out
from gateway.api.products import resolve_order
from gateway.api.schemas import PurchaseIn, PurchaseOut, PurchasePath
from gateway.errors import NotFound
from gateway.security.pins import PinRefused
from gateway.store import purchases as purchase_store
from gateway.store import users

ops = Operations("purchases", "Buy airtime, data, electricity, TV and exam PINs from your wallet.")


@ops.route(
    "POST",
    "/api/v1/purchases",
    summary="Buy something with your wallet",
    responses={202: PurchaseOut},
    errors=(403, 409, 423, 502, 503),
)
async def create_purchase(
    request: web.Request, principal: Principal, body: PurchaseIn, idempotency_key: str
) -> HttpReply:
    """Needs your PIN and an `Idempotency-Key` header. Answers 202 with the purchase at once
    (`initiated`); poll `GET /api/v1/purchases/{purchase_id}` until it is `delivered` or
    `failed` (refunded). Sending the same key and body again returns the same purchase and
    never buys twice, so retry freely after a timeout; the same key with another body is 409.

    Refusals: 422 `insufficient_funds`, `daily_limit_exceeded`, `invalid_input` (amount out of
    range, unknown plan), `missing_field` (a meter, card, profile or account the product needs;
    `details.fields` names it), the pricing refusals `POST /api/v1/quotes` shares; 403
    `pin_incorrect` (with `attempts_left`) or `pin_not_set`; 423
    `pin_locked` after 3 wrong PINs (30 minutes, shared with USSD; the third lock within 24
    hours lasts until the PIN is reset: `locked_until` null, `reset_required` true)."""
    async with deps.db(request)() as session:
        user = await users.get(session, principal.user_id)
    if user is None:
        raise NotFound("no such user")
    order = await resolve_order(deps.pricer(request), body, user.id, user.phone)
    try:
        # a retry of a purchase already made answers with it, without asking for the PIN again
        submission = await deps.purchases(request).buy(
            user.id, order, body.pin, idempotency_key=idempotency_key
        )
    except PinRefused as refused:
        raise pin_refusal(refused.check, deps.clock(request).now()) from None
    return _accepted(submission.purchase, replayed=not submission.created)


def _accepted(purchase: purchase_store.PurchaseRecord, *, replayed: bool) -> HttpReply:
    headers = {"Location": f"/api/v1/purchases/{purchase.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return HttpReply(purchase_out(purchase), 202, headers)


@ops.route(
    "GET",
    "/api/v1/purchases/{purchase_id}",
    summary="A purchase and its status (poll this)",
    responses={200: PurchaseOut},
)
async def get_purchase(
    request: web.Request, principal: Principal, path: PurchasePath
) -> PurchaseOut:
    """`initiated` and `pending` are still in flight; `delivered` carries the token or PINs;
    `failed` and `reversed` were refunded to your wallet. Another user's id is 404."""
    async with deps.db(request)() as session:
        found = await queries.transaction(session, principal.user_id, path.purchase_id)
    if found is None:
        raise NotFound(f"no purchase {path.purchase_id}")
    return purchase_out(found)
