"""The API's middlewares: CORS (outermost, so errors carry CORS headers too) and errors;
and `add_security_headers`, for the response hook every route's answer passes through.

The middlewares only act on `/api/...`; the USSD, SMS, Telegram and webhook routes answer in
their own formats. `gateway.edge` runs them, CORS outside errors, for `/api` paths only.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.api.errors import error_response, render_gateway_error, status_for
from gateway.errors import GatewayError
from gateway.keys import settings_key

logger = logging.getLogger(__name__)
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"
EXPOSED_HEADERS = "Location, Retry-After, Idempotent-Replayed, WWW-Authenticate"
PREFLIGHT_MAX_AGE_S = "600"
SERVER_NAME = "PayLink"  # aiohttp's default names the exact Python and aiohttp versions
_HTTP_CODES = {
    404: ("not_found", "no such endpoint"),
    405: ("method_not_allowed", "this endpoint does not accept that method"),
    413: ("payload_too_large", "the body is too large"),
}


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every `/api` failure as `{"error": {...}}`; anything unexpected is a logged bare 500."""
    if not is_api(request.path):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code, message = _HTTP_CODES.get(
            exc.status, (exc.reason.lower().replace(" ", "_"), exc.reason)
        )
        headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
        return error_response(exc.status, code, message, None, headers)
    except GatewayError as exc:
        status = status_for(exc)
        if status >= 500:
            logger.warning("%s %s failed: %s: %s", request.method, request.path, exc.code, exc)
        if status == 500:
            return error_response(500, "internal_error", "internal server error")
        return render_gateway_error(exc)
    except Exception:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, "internal_error", "internal server error")


def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """For the `on_response_prepare` hook (`gateway.edge`): every response, router 404s and
    errors included.

    `nosniff` stops a browser from running a JSON or text answer as script or HTML. The
    `Server` header is replaced rather than deleted because aiohttp adds its default after
    this hook to any response without one. API answers carry tokens, wallet balances and
    electricity tokens, so none may be stored by a browser or proxy cache.
    """
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Server"] = SERVER_NAME
    if is_api(request.path):
        response.headers.setdefault("Cache-Control", "no-store")


def _allowed_origin(request: web.Request) -> str | None:
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    allowed = request.app[settings_key].cors_origins
    if "*" in allowed:
        return "*"
    return origin if origin.rstrip("/") in allowed else None


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CORS for the frontends in `PAYLINK_CORS_ORIGINS`; preflights answered here.

    Bearer tokens, not cookies, carry the credentials, so no `Allow-Credentials`: a page from
    another origin cannot ride on a logged-in browser.
    """
    if not is_api(request.path):
        return await handler(request)
    origin = _allowed_origin(request)
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        if origin is None:
            return error_response(403, "cors_forbidden", "this origin may not call the API")
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_S,
                "Vary": "Origin",
            },
        )
    response = await handler(request)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.headers["Vary"] = "Origin"
    return response
