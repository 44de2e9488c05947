"""The gateway's exception tree; expected business outcomes are values, not exceptions.

GatewayError
├── ConfigError                 startup only; names the environment variable
├── AuthError                   bad or expired credentials -> 401
├── Forbidden                   authenticated but not allowed -> 403
├── NotFound                    -> 404 (also for another user's ids)
├── Conflict                    idempotency key reused with another payload -> 409
├── InvalidInput                a request we understood but cannot accept -> 422
└── UpstreamError               base for VTPass / Africa's Talking / Telegram
    ├── UpstreamUnavailable     provably not accepted (connect error, open breaker): safe to fail
    ├── UpstreamRejected        upstream answered "no" with a known code (non-purchase calls)
    └── OutcomeUnknown          sent, but no trustworthy answer (read timeout, 5xx, bad JSON)
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""

    code = "gateway_error"


class ConfigError(GatewayError):
    """A setting is missing or invalid; the message names the variable."""

    code = "config_error"


class AuthError(GatewayError):
    """Credentials are missing, malformed, expired or revoked."""

    code = "unauthorized"


class Forbidden(GatewayError):
    """The caller is known but its role does not allow this."""

    code = "forbidden"


class NotFound(GatewayError):
    """The resource does not exist or is not the caller's."""

    code = "not_found"


class Conflict(GatewayError):
    """The request contradicts an earlier one (e.g. an idempotency key reused)."""

    code = "conflict"


class InvalidInput(GatewayError):
    """The request is well-formed but its values cannot be accepted."""

    code = "invalid_input"


class UpstreamError(GatewayError):
    """An outside service (VTPass, Africa's Talking, Telegram) misbehaved."""

    code = "upstream_error"


class UpstreamUnavailable(UpstreamError):
    """The request provably never reached the upstream, so failing it is safe."""

    code = "upstream_unavailable"


class UpstreamRejected(UpstreamError):
    """The upstream answered with a known refusal code."""

    code = "upstream_rejected"

    def __init__(self, message: str, *, upstream_code: str | None = None) -> None:
        super().__init__(message)
        self.upstream_code = upstream_code


class OutcomeUnknown(UpstreamError):
    """The request may have been acted on, but no trustworthy answer came back."""

    code = "outcome_unknown"
