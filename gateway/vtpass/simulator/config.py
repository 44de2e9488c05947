"""Simulator configuration: accounts, clock and every behaviour knob of vtpass.md spec §A.

Knobs the public docs do not settle are tagged GUESS and default to the spec's choice.
`SimulatorConfig.from_env(environ)` reads (all optional):

- `VTPASS_API_KEY`, `VTPASS_PUBLIC_KEY`, `VTPASS_SECRET_KEY`: the account's keys; used only when
  all three are set, else the built-in, obviously fake `DEMO_ACCOUNT`.
- `PAYLINK_SIM_WALLET_BALANCE` (naira, default 100000.00), `PAYLINK_SIM_CALLBACK_URL`.
- `PAYLINK_SIM_PENDING_RESOLVE_AFTER_S` (default 30; `manual` or `none` = only `/__sim/resolve`),
  `PAYLINK_SIM_PENDING_FINAL_STATUS` (`delivered` | `failed` | `reversed`).
- `PAYLINK_SIM_TIMEOUT_DELAY_S` (default 120), `PAYLINK_SIM_LATENCY_S` (default 0).
- `PAYLINK_SIM_WEBHOOK_INTERVAL_S` (default 10), `PAYLINK_SIM_WEBHOOK_TIMEOUT_S` (default 10).
- `PAYLINK_SIM_UNEXPECTED_MODE` (`weird_json` | `html` | `unknown_code`),
  `PAYLINK_SIM_NO_RESPONSE_MODE` (`close` | `empty`),
  `PAYLINK_SIM_DATE_FORMAT` (`iso` | `legacy_object`), `PAYLINK_SIM_REVERSED_CODE` (`000` | `040`).
- `PAYLINK_SIM_STRICT_REQUEST_ID_HOUR`, `PAYLINK_SIM_DISCO_VARIANTS` (booleans: 1/0, true/false).
- `PAYLINK_SIM_RANDOM_SEED` (int): makes tokens and transaction ids reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeVar

from gateway.clock import Clock, SystemClock
from gateway.errors import ConfigError
from gateway.vtpass.demo import DEMO_API_KEY, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY
from gateway.vtpass.simulator.amounts import parse_naira
from gateway.vtpass.simulator.catalogue import (
    default_commission_rates,
    default_convenience_fees,
    default_limits,
)
from gateway.vtpass.simulator.products import Limits

AuthType = Literal["all", "apikey", "basic"]  # the profile's "API authentication type"
FinalStatus = Literal["delivered", "failed", "reversed"]  # where a pending transaction ends up
# 500000000000 [GUESS]: weird_json = 200 {"code":"000","response_description":"UNEXPECTED
# RESPONSE"}; html = 502 nginx page; unknown_code = 200 {"code":"777"}.
UnexpectedMode = Literal["weird_json", "html", "unknown_code"]
# 400000000000 [GUESS]: close = drop the connection unanswered; empty = 200 with an empty body.
NoResponseMode = Literal["close", "empty"]
# transaction_date: iso = "2025-03-10T09:32:37.000000Z" (UTC); legacy_object = the 2019 object
# {"date": "... (Lagos)", "timezone_type": 3, "timezone": "Africa/Lagos"}.
DateFormat = Literal["iso", "legacy_object"]
# Requery code for a reversed transaction [GUESS]: 000 "TRANSACTION REVERSED" or 040 "TRANSACTION
# REVERSAL"; the docs list both.
ReversedCode = Literal["000", "040"]

AUTH_TYPES: tuple[AuthType, ...] = ("all", "apikey", "basic")
FINAL_STATUSES: tuple[FinalStatus, ...] = ("delivered", "failed", "reversed")
UNEXPECTED_MODES: tuple[UnexpectedMode, ...] = ("weird_json", "html", "unknown_code")
NO_RESPONSE_MODES: tuple[NoResponseMode, ...] = ("close", "empty")
DATE_FORMATS: tuple[DateFormat, ...] = ("iso", "legacy_object")
REVERSED_CODES: tuple[ReversedCode, ...] = ("000", "040")


@dataclass(frozen=True, slots=True)
class SimAccount:
    """A merchant account on the simulated VTPass; keys are hidden from `repr`."""

    api_key: str = field(repr=False)
    public_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    basic_user: str | None = None
    basic_pass: str | None = field(default=None, repr=False)
    auth_type: AuthType = "all"
    wallet_balance: Decimal = Decimal("100000.00")
    whitelisted_products: frozenset[str] | None = None  # None = every product
    callback_url: str | None = None
    email: str = "sandbox@sandbox.vtpass.com"
    phone: str = "123450987623"


DEMO_ACCOUNT = SimAccount(
    api_key=DEMO_API_KEY,
    public_key=DEMO_PUBLIC_KEY,
    secret_key=DEMO_SECRET_KEY,
    basic_user="sandbox@sandbox.vtpass.com",
    basic_pass="demo-password",  # noqa: S106 -- a published fake for the local simulator
)


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """Everything the simulator can be told at start-up (vtpass.md spec §A).

    Mappings keyed by serviceID replace the defaults wholesale; extend them with
    `{**default_limits(), "mtn": Limits(...)}`. `pending_resolve_after_s=None` leaves pending
    transactions for `/__sim/resolve`. The resolve timer runs on the event loop's real time;
    `/requery` also resolves lazily once `clock` has moved `pending_resolve_after_s` past creation.
    """

    accounts: tuple[SimAccount, ...] = (DEMO_ACCOUNT,)
    clock: Clock = field(default_factory=SystemClock)
    strict_request_id_hour: bool = False  # GUESS: the 085 texts only mention the date
    request_id_hour_tolerance: int = 1
    pending_resolve_after_s: float | None = 30.0
    pending_final_status: FinalStatus = "delivered"
    timeout_delay_s: float = 120.0
    unexpected_mode: UnexpectedMode = "weird_json"
    no_response_mode: NoResponseMode = "close"
    response_date_format: DateFormat = "iso"
    reversed_code: ReversedCode = "000"
    commission_rates: Mapping[str, Decimal] = field(default_factory=default_commission_rates)
    convenience_fees: Mapping[str, Decimal] = field(default_factory=default_convenience_fees)
    limits: Mapping[str, Limits] = field(default_factory=default_limits)
    max_quantity: int = 10  # GUESS: 032 threshold
    duplicate_window_s: float = 30.0
    webhook_interval_s: float = 10.0
    webhook_max_attempts: int = 5
    webhook_timeout_s: float = 10.0
    latency_s: float = 0.0
    disco_variants: bool = False  # jos/kano/eko answer with their own token fields
    wrong_billers_code_as_string: bool = False  # "true"/"false" instead of booleans
    random_seed: int | None = None

    def __post_init__(self) -> None:
        if not self.accounts:
            raise ValueError("the simulator needs at least one account")
        keys = [a.api_key for a in self.accounts]
        if len(set(keys)) != len(keys):
            raise ValueError("simulator accounts must have distinct api keys")
        if self.webhook_max_attempts < 1:
            raise ValueError("webhook_max_attempts must be at least 1")
        for name, allowed in (
            ("pending_final_status", FINAL_STATUSES),
            ("unexpected_mode", UNEXPECTED_MODES),
            ("no_response_mode", NO_RESPONSE_MODES),
            ("response_date_format", DATE_FORMATS),
            ("reversed_code", REVERSED_CODES),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        for account in self.accounts:
            if account.auth_type not in AUTH_TYPES:
                raise ValueError(f"auth_type must be one of {', '.join(AUTH_TYPES)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SimulatorConfig:
        """Build a config from environment variables (see the module docstring).

        Raises:
            ConfigError: a variable is set to a value the simulator cannot use.
        """
        account = _account_from_env(environ)
        resolve_after = environ.get("PAYLINK_SIM_PENDING_RESOLVE_AFTER_S", "").strip().lower()
        return cls(
            accounts=(account,),
            pending_resolve_after_s=(
                None
                if resolve_after in {"manual", "none"}
                else _seconds(environ, "PAYLINK_SIM_PENDING_RESOLVE_AFTER_S", 30.0)
            ),
            pending_final_status=_choice(
                environ, "PAYLINK_SIM_PENDING_FINAL_STATUS", FINAL_STATUSES, "delivered"
            ),
            timeout_delay_s=_seconds(environ, "PAYLINK_SIM_TIMEOUT_DELAY_S", 120.0),
            latency_s=_seconds(environ, "PAYLINK_SIM_LATENCY_S", 0.0),
            webhook_interval_s=_seconds(environ, "PAYLINK_SIM_WEBHOOK_INTERVAL_S", 10.0),
            webhook_timeout_s=_seconds(environ, "PAYLINK_SIM_WEBHOOK_TIMEOUT_S", 10.0),
            unexpected_mode=_choice(
                environ, "PAYLINK_SIM_UNEXPECTED_MODE", UNEXPECTED_MODES, "weird_json"
            ),
            no_response_mode=_choice(
                environ, "PAYLINK_SIM_NO_RESPONSE_MODE", NO_RESPONSE_MODES, "close"
            ),
            response_date_format=_choice(environ, "PAYLINK_SIM_DATE_FORMAT", DATE_FORMATS, "iso"),
            reversed_code=_choice(environ, "PAYLINK_SIM_REVERSED_CODE", REVERSED_CODES, "000"),
            strict_request_id_hour=_flag(environ, "PAYLINK_SIM_STRICT_REQUEST_ID_HOUR"),
            disco_variants=_flag(environ, "PAYLINK_SIM_DISCO_VARIANTS"),
            random_seed=_optional_int(environ, "PAYLINK_SIM_RANDOM_SEED"),
        )


def _account_from_env(environ: Mapping[str, str]) -> SimAccount:
    keys = [environ.get(n, "").strip() for n in _KEY_VARS]
    balance_text = environ.get("PAYLINK_SIM_WALLET_BALANCE", "").strip()
    balance = DEMO_ACCOUNT.wallet_balance
    if balance_text:
        parsed = parse_naira(balance_text)
        if parsed is None or parsed < 0:
            raise ConfigError(f"PAYLINK_SIM_WALLET_BALANCE is not a naira amount: {balance_text!r}")
        balance = parsed
    callback = environ.get("PAYLINK_SIM_CALLBACK_URL", "").strip() or None
    if all(keys):
        api_key, public_key, secret_key = keys
        return SimAccount(
            api_key=api_key,
            public_key=public_key,
            secret_key=secret_key,
            wallet_balance=balance,
            callback_url=callback,
        )
    return SimAccount(
        api_key=DEMO_ACCOUNT.api_key,
        public_key=DEMO_ACCOUNT.public_key,
        secret_key=DEMO_ACCOUNT.secret_key,
        basic_user=DEMO_ACCOUNT.basic_user,
        basic_pass=DEMO_ACCOUNT.basic_pass,
        wallet_balance=balance,
        callback_url=callback,
    )


_KEY_VARS = ("VTPASS_API_KEY", "VTPASS_PUBLIC_KEY", "VTPASS_SECRET_KEY")
_L = TypeVar("_L", bound=str)


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {text!r}") from None
    if value < 0 or value != value:
        raise ConfigError(f"{name} must be a non-negative number of seconds, got {text!r}")
    return value


def _choice(environ: Mapping[str, str], name: str, allowed: tuple[_L, ...], default: _L) -> _L:
    text = environ.get(name, "").strip().lower()
    if not text:
        return default
    for option in allowed:
        if option == text:
            return option
    raise ConfigError(f"{name} must be one of {', '.join(allowed)}; got {text!r}")


def _flag(environ: Mapping[str, str], name: str) -> bool:
    text = environ.get(name, "").strip().lower()
    if text in {"", "0", "false", "no", "off"}:
        return False
    if text in {"1", "true", "yes", "on"}:
        return True
    raise ConfigError(f"{name} must be a boolean (1/0, true/false), got {text!r}")


def _optional_int(environ: Mapping[str, str], name: str) -> int | None:
    text = environ.get(name, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {text!r}") from None
