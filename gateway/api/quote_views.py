"""A price before the PIN: what a purchase body would charge, from the purchase's own pricing."""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps
from gateway.api.auth import Principal
from gateway.api.openapi import Operations
from gateway.api.products import resolve_order
from gateway.api.schemas import Money, QuoteIn, QuoteOut
from gateway.errors import NotFound
from gateway.store import users

ops = Operations("quotes", "Ask what a purchase costs, fee included, before paying.")


@ops.route(
    "POST",
    "/api/v1/quotes",
    summary="Price a purchase (face amount, fee, discount, total) without buying",
    responses={200: QuoteOut},
    errors=(502, 503),
)
async def create_quote(request: web.Request, principal: Principal, body: QuoteIn) -> QuoteOut:
    """The body of `POST /api/v1/purchases` without the PIN. Answers what that purchase would
    debit now: `total` = `face_amount` + `fee` - `discount`, priced exactly as the purchase is
    (the same refusals: 422 `price_mismatch`, `verification_required`, `amount_out_of_range`,
    `missing_field`, ...). Nothing is charged or recorded, and the wallet balance is not
    checked. A fee rule or catalogue price can change before you buy: the purchase charges
    the price of its own moment."""
    async with deps.db(request)() as session:
        user = await users.get(session, principal.user_id)
    if user is None:
        raise NotFound("no such user")
    order = await resolve_order(deps.pricer(request), body, user.id, user.phone)
    priced = await deps.purchases(request).price_order(user.id, order)
    order, quote = priced.order, priced.quote
    return QuoteOut(
        service_id=order.service_id,
        category=order.category,
        product=order.product or order.service_id,
        variation_code=order.variation_code,
        customer_ref=order.customer_ref,
        subscription_type=order.options.get("subscription_type"),
        phone=priced.phone,
        quantity=quote.quantity,
        unit_price=Money.of(order.amount),
        face_amount=Money.of(quote.face),
        fee=Money.of(quote.fee),
        discount=Money.of(quote.discount),
        total=Money.of(quote.total),
    )
