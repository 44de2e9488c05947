"""The API's one error shape, `{"error": {"code", "message", "details"}}`, and its statuses.

Gateway errors map to statuses by class (most specific first); `ApiError` subclasses carry
their own status, details and headers (`Retry-After`, `WWW-Authenticate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from gateway.errors import (
    AuthError,
    Conflict,
    Forbidden,
    GatewayError,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnavailable,
)

_STATUS: tuple[tuple[type[GatewayError], int], ...] = (
    (AuthError, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (UpstreamUnavailable, 503),
    (UpstreamRejected, 502),
    (OutcomeUnknown, 502),
    (UpstreamError, 502),
)


class ApiError(GatewayError):
    """An error raised by the API layer itself, with its status, details and headers."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.details = dict(details or {})
        self.headers = dict(headers or {})
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class ValidationFailed(ApiError):
    """The body, query or path did not match the operation's model (pydantic's errors)."""

    status = 422
    code = "validation_error"


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(
            message,
            details={"retry_after_s": retry_after_s},
            headers={"Retry-After": str(retry_after_s)},
        )


class PinIncorrect(ApiError):
    status = 403
    code = "pin_incorrect"


class PinNotSet(ApiError):
    status = 403
    code = "pin_not_set"


class PinLockedError(ApiError):
    status = 423
    code = "pin_locked"


class Unauthorized(ApiError):
    """401 with the `WWW-Authenticate` challenge RFC 6750 asks for."""

    status = 401
    code = "unauthorized"

    def __init__(
        self, message: str = "a valid bearer token is required", *, code: str | None = None
    ) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="paylink"'})
        if code is not None:
            self.code = code


def status_for(exc: GatewayError) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    return web.json_response(
        error_body(code, message, details), status=status, headers=dict(headers or {})
    )


def render_gateway_error(exc: GatewayError) -> web.Response:
    status = status_for(exc)
    if isinstance(exc, ApiError):
        return error_response(status, exc.code, str(exc), exc.details, exc.headers)
    headers = {"WWW-Authenticate": 'Bearer realm="paylink"'} if status == 401 else None
    message = str(exc)
    # domain errors may say what would be accepted (e.g. `price_mismatch` names the price)
    details: Mapping[str, Any] | None = getattr(exc, "details", None)
    if isinstance(exc, UpstreamError):
        # upstream messages name internal calls and URLs: log them, tell the client less
        message = _UPSTREAM_MESSAGES.get(status, "the payment provider gave an unexpected answer")
        details = None
        if status == 503:
            headers = {"Retry-After": "30"}
    return error_response(status, exc.code, message, details, headers)


_UPSTREAM_MESSAGES = {503: "the payment provider is unavailable; try again shortly"}
