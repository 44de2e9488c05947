"""Settings read once from the environment; the defaults are the embedded mode.

`Settings.from_env(environ)` takes the mapping as a parameter (starlette's habit), so tests pass
a dict and nothing patches `os.environ`. A bad value fails at start-up naming its variable.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias, TypeVar
from urllib.parse import urlsplit, urlunsplit

from gateway.errors import ConfigError
from gateway.funding import parse_funding_hint
from gateway.funding_settings import FundingSettings
from gateway.money import parse_naira
from gateway.secret_strength import KEY_MIN_LENGTH, PATH_TOKEN_MIN_LENGTH, weakness

T = TypeVar("T")
IpNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


class Secret:
    """A string that never shows itself in `repr`, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @property
    def value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and secrets.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._value)


class VTPassMode(StrEnum):
    SIMULATOR = "simulator"
    SANDBOX = "sandbox"
    LIVE = "live"


# Africa's Talking's API host; the SDK appends `/version1/...` (channels.md B1)
AT_API_BASE_URL = "https://api.africastalking.com"
AT_SANDBOX_API_BASE_URL = "https://api.sandbox.africastalking.com"

VTPASS_BASE_URLS = {
    VTPassMode.SANDBOX: "https://sandbox.vtpass.com/api/",
    VTPassMode.LIVE: "https://vtpass.com/api/",
}


def mask_url(url: str) -> str:
    """The URL with any password replaced by `***`, safe to log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class DatabaseUrl(Secret):
    """A DSN whose password is masked in `repr`."""

    def __repr__(self) -> str:
        return f"DatabaseUrl({mask_url(self.value)!r})"

    __str__ = __repr__

    @property
    def is_sqlite(self) -> bool:
        return self.value.startswith("sqlite")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the gateway can be configured with (architecture.md §2 plus tuning knobs)."""

    database_url: DatabaseUrl = field(
        default_factory=lambda: DatabaseUrl("sqlite+aiosqlite:///./paylink.db")
    )
    redis_url: Secret | None = None
    redis_prefix: str = "paylink:"
    vtpass_mode: VTPassMode = VTPassMode.SIMULATOR
    vtpass_base_url: str | None = None
    vtpass_api_key: Secret | None = None
    vtpass_public_key: Secret | None = None
    vtpass_secret_key: Secret | None = None
    vtpass_webhook_token: Secret | None = None
    vtpass_connect_timeout_s: float = 10.0
    vtpass_read_timeout_s: float = 30.0
    vtpass_pay_read_timeout_s: float = 120.0
    vtpass_get_retries: int = 3
    vtpass_breaker_failures: int = 5
    vtpass_breaker_reset_s: float = 30.0
    vtpass_catalogue_ttl_s: float = 3600.0
    jwt_secret: Secret = field(default_factory=lambda: Secret(secrets.token_urlsafe(48)))
    jwt_secret_generated: bool = True
    pin_pepper: Secret | None = None  # unset: derived from jwt_secret (gateway/security/pins.py)
    pin_pepper_previous: Secret | None = None  # still verifies (and upgrades) PINs: rotation
    jwt_access_ttl_s: int = 900
    jwt_refresh_ttl_s: int = 30 * 24 * 3600
    # a page reloaded mid-refresh resends the token just rotated: answered, not treated as theft
    jwt_refresh_grace_s: float = 5.0
    at_username: str | None = None
    at_api_key: Secret | None = None
    at_sender_id: str | None = None
    at_api_base_url: str | None = None  # unset: AT's live host, or its sandbox for `sandbox`
    telegram_bot_token: Secret | None = None
    telegram_webhook_secret: Secret | None = None
    telegram_api_base_url: str | None = None
    cors_origins: tuple[str, ...] = ()
    # REST login rate limits (fixed windows) and how many of our proxies add X-Forwarded-For
    login_limit_per_account: int = 5
    login_limit_per_ip: int = 100
    login_window_s: int = 900
    trusted_proxy_hops: int = 0
    # the largest single operator wallet credit, in kobo (env: naira, like the CLI): ₦500,000
    operator_credit_max: int = 50_000_000
    # Africa's Talking callbacks: a secret path segment and/or the networks they may come from
    at_callback_token: Secret | None = None
    at_allowed_networks: tuple[IpNetwork, ...] = ()
    at_callback_open: bool = False  # production: the operator guards the route elsewhere
    ussd_reply_budget_s: float = 2.0
    ussd_code: str = "*347*88#"  # how customers reach the USSD menu (SMS replies name it)
    # messages one phone may send by SMS per window; past it they get no reply (a looping handset)
    sms_inbound_limit: int = 10
    sms_inbound_window_s: int = 600
    log_level: str = "INFO"
    log_format: str = "text"  # "json" in production: one JSON object a line (gateway/logs.py)
    # `/metrics` flags the VTPass float as low under this many kobo (env: naira): ₦50,000
    vtpass_low_float: int = 5_000_000
    # shown when a wallet is short on every channel (GSM-7, <= 80 characters); None: each
    # channel's own words (`gateway.funding.shared_hint`)
    funding_hint: str | None = None
    funding: FundingSettings = field(default_factory=FundingSettings)  # Paystack (issue 19)
    # seconds after submit before a still-pending purchase gets its one SMS notice; 0: never
    pending_notice_after_s: float = 600.0
    # SIGTERM: seconds `/readyz` answers 503 while still serving, so a balancer stops sending
    # (None: 5, or 0 for the embedded default, which has no balancer); then in-flight requests
    # get up to `shutdown_timeout_s` before the worker and the pools stop (gateway/cli/serve.py)
    shutdown_delay_s: float | None = None
    shutdown_timeout_s: float = 30.0
    run_worker: bool | None = None  # `paylink serve` vends too; None: only when embedded

    @property
    def drain_delay_s(self) -> float:
        """The readiness-off delay in effect (see `shutdown_delay_s`)."""
        if self.shutdown_delay_s is not None:
            return self.shutdown_delay_s
        return 0.0 if self.embedded else 5.0

    @property
    def embedded(self) -> bool:
        """True when running with no outside services (SQLite, in-process stores)."""
        return self.database_url.is_sqlite and self.redis_url is None

    @property
    def uses_builtin_simulator(self) -> bool:
        return self.vtpass_mode is VTPassMode.SIMULATOR and self.vtpass_base_url is None

    @property
    def sends_sms(self) -> bool:
        """Whether SMS leave through Africa's Talking (else they stay in the outbox, logged)."""
        return self.at_username is not None and self.at_api_key is not None

    @property
    def at_api_base(self) -> str:
        """AT's API host without a trailing slash: the setting, else live or sandbox."""
        if self.at_api_base_url is not None:
            return self.at_api_base_url.rstrip("/")
        return AT_SANDBOX_API_BASE_URL if self.at_username == "sandbox" else AT_API_BASE_URL

    @property
    def sandbox_numbers(self) -> bool:
        """Whether recipients may be VTPass's sandbox scenario numbers (`gateway.phones`): only
        against the simulator or the sandbox, never live."""
        return self.vtpass_mode is not VTPassMode.LIVE

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping; empty strings count as unset.

        Raises:
            ConfigError: a value is invalid or a variable required by the mode is missing.
        """
        env = {k: v for k, v in environ.items() if v.strip() != ""}
        defaults = cls()

        def get(name: str, parse: Callable[[str], T], default: T) -> T:
            raw = env.get(name)
            if raw is None:
                return default
            try:
                return parse(raw.strip())
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"{name}: {exc}") from exc

        def secret(name: str) -> Secret | None:
            raw = env.get(name)
            return None if raw is None else Secret(raw.strip())

        mode = get("PAYLINK_VTPASS_MODE", _parse_mode, VTPassMode.SIMULATOR)
        base_url = get("PAYLINK_VTPASS_BASE_URL", _parse_http_url, None)
        if base_url is None and mode is not VTPassMode.SIMULATOR:
            base_url = VTPASS_BASE_URLS[mode]
        database_url = get("PAYLINK_DATABASE_URL", _parse_database_url, defaults.database_url)
        redis_url = get("PAYLINK_REDIS_URL", _parse_redis_url, None)
        jwt_raw = secret("PAYLINK_JWT_SECRET")
        embedded = database_url.is_sqlite and redis_url is None

        settings = cls(
            database_url=database_url,
            redis_url=redis_url,
            redis_prefix=env.get("PAYLINK_REDIS_PREFIX", defaults.redis_prefix),
            vtpass_mode=mode,
            vtpass_base_url=base_url,
            vtpass_api_key=secret("VTPASS_API_KEY"),
            vtpass_public_key=secret("VTPASS_PUBLIC_KEY"),
            vtpass_secret_key=secret("VTPASS_SECRET_KEY"),
            vtpass_webhook_token=secret("PAYLINK_VTPASS_WEBHOOK_TOKEN"),
            vtpass_connect_timeout_s=get(
                "PAYLINK_VTPASS_CONNECT_TIMEOUT", _positive_float, defaults.vtpass_connect_timeout_s
            ),
            vtpass_read_timeout_s=get(
                "PAYLINK_VTPASS_READ_TIMEOUT", _positive_float, defaults.vtpass_read_timeout_s
            ),
            vtpass_pay_read_timeout_s=get(
                "PAYLINK_VTPASS_PAY_READ_TIMEOUT",
                _positive_float,
                defaults.vtpass_pay_read_timeout_s,
            ),
            vtpass_get_retries=get(
                "PAYLINK_VTPASS_GET_RETRIES", _non_negative_int, defaults.vtpass_get_retries
            ),
            vtpass_breaker_failures=get(
                "PAYLINK_VTPASS_BREAKER_FAILURES", _positive_int, defaults.vtpass_breaker_failures
            ),
            vtpass_breaker_reset_s=get(
                "PAYLINK_VTPASS_BREAKER_RESET", _positive_float, defaults.vtpass_breaker_reset_s
            ),
            vtpass_catalogue_ttl_s=get(
                "PAYLINK_VTPASS_CATALOGUE_TTL", _non_negative_float, defaults.vtpass_catalogue_ttl_s
            ),
            jwt_secret=jwt_raw if jwt_raw is not None else defaults.jwt_secret,
            jwt_secret_generated=jwt_raw is None,
            pin_pepper=secret("PAYLINK_PIN_PEPPER"),
            pin_pepper_previous=secret("PAYLINK_PIN_PEPPER_PREVIOUS"),
            jwt_access_ttl_s=get(
                "PAYLINK_JWT_ACCESS_TTL", _positive_int, defaults.jwt_access_ttl_s
            ),
            jwt_refresh_ttl_s=get(
                "PAYLINK_JWT_REFRESH_TTL", _positive_int, defaults.jwt_refresh_ttl_s
            ),
            jwt_refresh_grace_s=get(
                "PAYLINK_JWT_REFRESH_GRACE", _non_negative_float, defaults.jwt_refresh_grace_s
            ),
            at_username=env.get("AT_USERNAME"),
            at_api_key=secret("AT_API_KEY"),
            at_sender_id=env.get("AT_SENDER_ID"),
            at_api_base_url=get("AT_API_BASE_URL", _parse_http_url, None),
            telegram_bot_token=secret("TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=secret("TELEGRAM_WEBHOOK_SECRET"),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL", _parse_api_base_url, None),
            cors_origins=get("PAYLINK_CORS_ORIGINS", _parse_origins, ()),
            login_limit_per_account=get(
                "PAYLINK_LOGIN_LIMIT_PER_ACCOUNT", _positive_int, defaults.login_limit_per_account
            ),
            login_limit_per_ip=get(
                "PAYLINK_LOGIN_LIMIT_PER_IP", _positive_int, defaults.login_limit_per_ip
            ),
            login_window_s=get("PAYLINK_LOGIN_WINDOW", _positive_int, defaults.login_window_s),
            trusted_proxy_hops=get(
                "PAYLINK_TRUSTED_PROXY_HOPS", _non_negative_int, defaults.trusted_proxy_hops
            ),
            operator_credit_max=get(
                "PAYLINK_OPERATOR_CREDIT_MAX", _positive_naira, defaults.operator_credit_max
            ),
            at_callback_token=secret("PAYLINK_AT_CALLBACK_TOKEN"),
            at_allowed_networks=get("PAYLINK_AT_ALLOWED_NETWORKS", _parse_networks, ()),
            at_callback_open=get("PAYLINK_AT_CALLBACK_OPEN", _parse_bool, False),
            ussd_reply_budget_s=get(
                "PAYLINK_USSD_REPLY_BUDGET", _positive_float, defaults.ussd_reply_budget_s
            ),
            ussd_code=get("PAYLINK_USSD_CODE", _parse_ussd_code, defaults.ussd_code),
            sms_inbound_limit=get(
                "PAYLINK_SMS_INBOUND_LIMIT", _positive_int, defaults.sms_inbound_limit
            ),
            sms_inbound_window_s=get(
                "PAYLINK_SMS_INBOUND_WINDOW", _positive_int, defaults.sms_inbound_window_s
            ),
            log_level=get("PAYLINK_LOG_LEVEL", _parse_log_level, defaults.log_level),
            log_format=get("PAYLINK_LOG_FORMAT", _parse_log_format, defaults.log_format),
            vtpass_low_float=get(
                "PAYLINK_VTPASS_LOW_FLOAT", _positive_naira, defaults.vtpass_low_float
            ),
            funding_hint=get("PAYLINK_FUNDING_HINT", parse_funding_hint, None),
            funding=FundingSettings.from_env(env, secret),
            pending_notice_after_s=get(
                "PAYLINK_PENDING_NOTICE_AFTER", _non_negative_float, defaults.pending_notice_after_s
            ),
            shutdown_delay_s=get("PAYLINK_SHUTDOWN_DELAY", _non_negative_float, None),
            shutdown_timeout_s=get(
                "PAYLINK_SHUTDOWN_TIMEOUT", _positive_float, defaults.shutdown_timeout_s
            ),
            run_worker=get("PAYLINK_RUN_WORKER", _parse_bool, None),
        )
        _check_required(settings, embedded=embedded)
        return settings


def _check_required(settings: Settings, *, embedded: bool) -> None:
    if settings.vtpass_mode is not VTPassMode.SIMULATOR:
        for name, value in (
            ("VTPASS_API_KEY", settings.vtpass_api_key),
            ("VTPASS_PUBLIC_KEY", settings.vtpass_public_key),
            ("VTPASS_SECRET_KEY", settings.vtpass_secret_key),
        ):
            if value is None:
                raise ConfigError(
                    f"{name}: required when PAYLINK_VTPASS_MODE is {settings.vtpass_mode}"
                )
    if settings.jwt_secret_generated and not embedded:
        raise ConfigError(
            "PAYLINK_JWT_SECRET: required outside the embedded mode (Postgres or Redis configured)"
        )
    _check_secrets(settings)
    if settings.pin_pepper_previous is not None and settings.pin_pepper is None:
        raise ConfigError("PAYLINK_PIN_PEPPER_PREVIOUS: only with PAYLINK_PIN_PEPPER (rotation)")
    if settings.at_api_key is not None and settings.at_username is None:
        raise ConfigError("AT_USERNAME: required when AT_API_KEY is set")
    if not (
        embedded
        or settings.at_callback_token is not None
        or settings.at_allowed_networks
        or settings.at_callback_open
    ):
        raise ConfigError(
            "PAYLINK_AT_CALLBACK_TOKEN or PAYLINK_AT_ALLOWED_NETWORKS: set at least one outside"
            " the embedded mode (Postgres or Redis configured), or PAYLINK_AT_CALLBACK_OPEN=true"
            " if the Africa's Talking routes are protected in front of the gateway"
        )


def _check_secrets(settings: Settings) -> None:
    """Refuse weak keys and tokens by name; the message never contains the value."""
    keys = (
        ("PAYLINK_JWT_SECRET", None if settings.jwt_secret_generated else settings.jwt_secret),
        ("PAYLINK_PIN_PEPPER", settings.pin_pepper),
        ("PAYLINK_PIN_PEPPER_PREVIOUS", settings.pin_pepper_previous),
    )
    # every webhook or callback token goes here; True: callers present it as a URL path segment
    tokens = (
        ("PAYLINK_VTPASS_WEBHOOK_TOKEN", settings.vtpass_webhook_token, True),
        ("PAYLINK_AT_CALLBACK_TOKEN", settings.at_callback_token, True),
        ("TELEGRAM_WEBHOOK_SECRET", settings.telegram_webhook_secret, False),
    )
    for name, value in keys:
        if value is not None:
            _require_strong(name, value, KEY_MIN_LENGTH)
    for name, token, in_path in tokens:
        if token is not None:
            _require_strong(name, token, PATH_TOKEN_MIN_LENGTH, path_segment=in_path)


def _require_strong(
    name: str, value: Secret, min_length: int, *, path_segment: bool = False
) -> None:
    reason = weakness(value.value, min_length, path_segment=path_segment)
    if reason is not None:
        raise ConfigError(
            f"{name}: {reason}; generate one with"
            " `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )


def _parse_mode(raw: str) -> VTPassMode:
    try:
        return VTPassMode(raw.lower())
    except ValueError:
        choices = ", ".join(m.value for m in VTPassMode)
        raise ValueError(f"expected one of {choices}, got {raw!r}") from None


def _parse_http_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {raw!r}")
    return raw if raw.endswith("/") else raw + "/"


def _parse_api_base_url(raw: str) -> str:
    """An http(s) URL kept exactly as given: python-telegram-bot appends the bot token to it
    (`https://api.telegram.org/bot` + token), so no `/` may be added."""
    _parse_http_url(raw)
    return raw


def _parse_database_url(raw: str) -> DatabaseUrl:
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    allowed = {"sqlite+aiosqlite", "postgresql+psycopg", "postgresql"}
    if scheme not in allowed:
        raise ValueError(
            f"expected sqlite+aiosqlite:///path or postgresql+psycopg://..., got {mask_url(raw)!r}"
        )
    if scheme == "postgresql":
        raw = "postgresql+psycopg://" + raw.split("://", 1)[1]
    return DatabaseUrl(raw)


def _parse_redis_url(raw: str) -> Secret:
    if urlsplit(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ValueError(f"expected redis://host:port/db, got {mask_url(raw)!r}")
    return Secret(raw)


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError(f"expected a positive number, got {raw!r}")
    return value


def _non_negative_float(raw: str) -> float:
    value = float(raw)
    if not value >= 0:
        raise ValueError(f"expected zero or a positive number, got {raw!r}")
    return value


def _positive_naira(raw: str) -> int:
    """Naira as a person types it (`500000`, `500,000.50`) to kobo, more than zero."""
    value = int(parse_naira(raw))
    if value <= 0:
        raise ValueError(f"expected a positive naira amount, got {raw!r}")
    return value


def _parse_ussd_code(raw: str) -> str:
    """A USSD service code as dialled, e.g. `*347*88#`."""
    if not re.fullmatch(r"\*[0-9]+(\*[0-9]+)*#", raw):
        raise ValueError(f"expected a USSD code such as *347*88#, got {raw!r}")
    return raw


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(f"expected a positive integer, got {raw!r}")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(f"expected zero or a positive integer, got {raw!r}")
    return value


def _parse_origins(raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin != "*":
            _parse_http_url(origin)
    return origins


def _parse_bool(raw: str) -> bool:
    value = raw.lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _parse_networks(raw: str) -> tuple[IpNetwork, ...]:
    """`196.201.214.0/24, 2001:db8::/32`: CIDR blocks (a bare address is a /32 or /128)."""
    networks = tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()
    )
    if not networks:
        raise ValueError("expected comma-separated CIDR blocks, e.g. 196.201.214.0/24")
    return networks


def _parse_log_format(raw: str) -> str:
    fmt = raw.lower()
    if fmt not in {"json", "text"}:
        raise ValueError(f"expected json or text, got {raw!r}")
    return fmt


def _parse_log_level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError(f"expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {raw!r}")
    return level
