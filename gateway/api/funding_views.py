"""Funding your wallet: a card checkout through Paystack, and your own account number."""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps
from gateway.api.auth import Principal
from gateway.api.openapi import HttpReply, Operations
from gateway.api.schemas.common import Money
from gateway.api.schemas.funding import (
    DedicatedAccountOut,
    FundingIn,
    FundingOut,
    FundingPath,
    FundingQuoteOut,
    FundingQuoteQuery,
)
from gateway.funding_settings import FeeBearer
from gateway.keys import settings_key
from gateway.money import format_rich
from gateway.paystack import store
from gateway.paystack.fees import FeeQuote
from gateway.paystack.keys import dedicated_accounts_key, fundings_key
from gateway.paystack.store import FundingRecord

ops = Operations("funding", "Fund your wallet by card (Paystack checkout) or bank transfer.")


def _quote_out(quote: FeeQuote, bearer: FeeBearer) -> FundingQuoteOut:
    return FundingQuoteOut(
        amount=Money.of(quote.amount),
        fee=Money.of(quote.fee),
        credit_amount=Money.of(quote.credit),
        fee_bearer=bearer.value,
    )


def funding_out(funding: FundingRecord) -> FundingOut:
    return FundingOut(
        reference=funding.reference,
        kind=funding.kind,  # type: ignore[arg-type]  # CHECK-constrained in the table
        status=funding.status,  # type: ignore[arg-type]
        amount=Money.of(funding.amount),
        fee=Money.of(funding.fee),
        credit_amount=Money.of(funding.credit_amount),
        checkout_url=funding.authorization_url,
        created_at=funding.created_at,
        credited_at=funding.credited_at,
    )


@ops.route(
    "GET",
    "/api/v1/wallet/funding-quote",
    summary="What a card funding costs and brings to your wallet",
    responses={200: FundingQuoteOut},
)
async def get_funding_quote(
    request: web.Request, _principal: Principal, query: FundingQuoteQuery
) -> FundingQuoteOut:
    """Shown before paying: Paystack's fee, who bears it, and what reaches the wallet. 422
    `invalid_input` below the minimum, `funding_limit_exceeded` above the maximum."""
    bearer = request.app[settings_key].funding.fee_bearer
    return _quote_out(request.app[fundings_key].quote(query.amount), bearer)


@ops.route(
    "POST",
    "/api/v1/wallet/fundings",
    summary="Start a card funding (answers the checkout URL)",
    responses={201: FundingOut, 200: FundingOut},
    errors=(409, 502, 503),
)
async def create_funding(
    request: web.Request, principal: Principal, body: FundingIn, idempotency_key: str
) -> HttpReply:
    """Needs an `Idempotency-Key` header: the same key and amount answer the same funding
    (200, `Idempotent-Replayed: true`), another amount is 409. Send the user to
    `checkout_url`; when they come back, `GET /api/v1/wallet/fundings/{reference}` shows the
    result. The wallet is credited only once Paystack confirms the payment. 422
    `funding_limit_exceeded` over the per-funding maximum or your daily limit."""
    fundings = request.app[fundings_key]
    before = await _existing(request, principal.user_id, idempotency_key)
    funding = await fundings.start(principal.user_id, body.amount, idempotency_key)
    headers = {"Location": f"/api/v1/wallet/fundings/{funding.reference}"}
    if before:
        headers["Idempotent-Replayed"] = "true"
    return HttpReply(funding_out(funding), 200 if before else 201, headers)


async def _existing(request: web.Request, user_id: int, key: str) -> bool:
    async with deps.db(request)() as session:
        return await store.by_idempotency_key(session, user_id, key) is not None


@ops.route(
    "GET",
    "/api/v1/wallet/fundings/{reference}",
    summary="A funding and its status (the checkout's return page asks this)",
    responses={200: FundingOut},
)
async def get_funding(request: web.Request, principal: Principal, path: FundingPath) -> FundingOut:
    """An `open` card funding is verified with Paystack first, so the return page shows
    `credited` as soon as the payment went through. Another user's reference is 404."""
    funding = await request.app[fundings_key].status(principal.user_id, path.reference)
    return funding_out(funding)


@ops.route(
    "GET",
    "/api/v1/wallet/account",
    summary="Your own bank account number: transfers into it fund your wallet",
    responses={200: DedicatedAccountOut, 202: DedicatedAccountOut},
)
async def get_account(request: web.Request, principal: Principal) -> HttpReply:
    """Made on first ask (a Paystack dedicated virtual account). 202 with `pending` while
    Paystack is setting it up (it is retried in the background); ask again shortly."""
    settings = request.app[settings_key].funding
    found = await request.app[dedicated_accounts_key].for_user(principal.user_id)
    note = (
        "Transfers reach your wallet in full."
        if settings.fee_bearer is FeeBearer.PAYLINK
        else f"Paystack keeps 1% of each transfer (at most {format_rich(30_000)})."
    )
    out = DedicatedAccountOut(
        status=found.status,  # type: ignore[arg-type]
        bank=found.bank_name,
        account_number=found.account_number,
        account_name=found.account_name,
        fee_note=note,
    )
    return HttpReply(out, 200 if found.status == "active" else 202)
