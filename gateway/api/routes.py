"""Wiring the API into the app: its cleanup context, its routes, and the OpenAPI document."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from gateway.api import (
    auth_views,
    catalogue_views,
    funding_views,
    me_views,
    operator_lookup_views,
    operator_views,
    purchase_views,
    quote_views,
    transaction_views,
    verify_views,
    wallet_views,
)
from gateway.api.auth import Authenticator, Principal, bearer_token
from gateway.api.docs import setup_docs_routes
from gateway.api.errors import Unauthorized
from gateway.api.keys import api_auth_key
from gateway.api.openapi import Operations, build_document, make_view
from gateway.api.schemas import ErrorResponse
from gateway.api.tokens_store import MemoryTokenStore, RedisTokenStore, TokenStore
from gateway.errors import Forbidden
from gateway.keys import clock_key, db_key, redis_key, settings_key
from gateway.store import users

logger = logging.getLogger(__name__)

GROUPS: tuple[Operations, ...] = (
    auth_views.ops,
    me_views.ops,
    wallet_views.ops,
    funding_views.ops,
    catalogue_views.ops,
    verify_views.ops,
    quote_views.ops,
    purchase_views.ops,
    transaction_views.ops,
    operator_views.ops,
    operator_lookup_views.ops,  # the web console's look-ups: by phone, audit trail, float
)
DESCRIPTION = """\
The PayLink REST API for the web frontend and partners.

**Start here:** `POST /api/v1/auth/register` texts a code to the phone and answers a
`registration_id`; `POST /api/v1/auth/verify-phone` with the phone, that code and that
`registration_id` logs you in. Send the `access_token` as
`Authorization: Bearer <token>` (Authorize button above). It lives 15 minutes: swap the
`refresh_token` at `POST /api/v1/auth/refresh` for a new pair (each refresh token works once).

Set a PIN (`PUT /api/v1/me/pin`), look at products (`/api/v1/catalogue/...`), verify a meter or
smartcard, ask the price with its fee (`POST /api/v1/quotes`), then `POST /api/v1/purchases`
with an `Idempotency-Key` header and poll `GET /api/v1/purchases/{purchase_id}`.

Money is integer **kobo** (₦1 = 100) with a display string. Every timestamp is RFC 3339 in
UTC with milliseconds and `Z` (`2026-12-01T09:30:00.000Z`, what JavaScript's `toISOString()`
writes); date filters also take a Lagos calendar day (`2026-12-01`). Every error has the shape
`{"error": {"code": "...", "message": "...", "details": {...}}}`. Requests are taken exactly as
sent (nothing is trimmed): the schema's patterns and lengths are the whole rule, and 422
`validation_error` answers only a request the schema forbids.
"""


def build_api_document() -> dict[str, object]:
    return build_document(
        GROUPS,
        title="PayLink API",
        version="1.0.0",
        description=DESCRIPTION,
        error_model=ErrorResponse,
    )


async def api_ctx(app: web.Application) -> AsyncIterator[None]:
    """The token store (Redis when configured, else in-process) and the authenticator."""
    settings = app[settings_key]
    redis = app.get(redis_key)
    store: TokenStore
    if redis is not None:
        store = RedisTokenStore(redis, settings.redis_prefix, clock=app[clock_key])
    else:
        if not settings.embedded:
            logger.warning(
                "PAYLINK_REDIS_URL is not set: token revocations and login limits are kept "
                "per process; run one gateway process or configure Redis"
            )
        store = MemoryTokenStore(app[clock_key])
    app[api_auth_key] = Authenticator(
        settings.jwt_secret,
        store,
        access_ttl_s=settings.jwt_access_ttl_s,
        refresh_ttl_s=settings.jwt_refresh_ttl_s,
        refresh_grace_s=settings.jwt_refresh_grace_s,
        clock=app[clock_key],
    )
    try:
        yield
    finally:
        await store.close()


async def authenticate(request: web.Request, role: str) -> Principal:
    """The caller's principal, with `role` or higher.

    The user's status and role are read from the database on every request (one primary-key
    lookup), so a suspended, closed or deleted user's tokens stop working at once and a
    demoted operator loses access at once, not when the access token expires.

    Raises:
        Unauthorized: no live access token, or the account is not active (`account_inactive`).
        Forbidden: the role is not enough.
    """
    auth: Authenticator = request.app[api_auth_key]
    principal = await auth.authenticate(bearer_token(request.headers.get("Authorization")))
    async with request.app[db_key]() as session:
        access = await users.access(session, principal.user_id)
    if access is None or access.status != "active":
        raise Unauthorized("this account is not active", code="account_inactive")
    fresh = Principal(
        principal.user_id, access.role, principal.jti, principal.family, principal.expires_at
    )
    if fresh.has_role(role):
        return fresh
    raise Forbidden(f"this needs the {role} role")


def setup_api_routes(app: web.Application) -> None:
    """Every `/api/v1` operation, plus `/api/schema` and `/api/docs`."""
    for group in GROUPS:
        for op in group.operations:
            app.router.add_route(op.method, op.path, make_view(op, authenticate))
    setup_docs_routes(app, build_api_document())
