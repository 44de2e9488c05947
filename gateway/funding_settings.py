"""Wallet funding through Paystack: its keys, fee bearer, limits and timings (a leaf).

Why apart from `gateway.settings`: funding has a dozen knobs of its own, read by the Paystack
package, the API and the CLI; `Settings.funding` holds one of these, built here from the same
environment mapping. No key set and no base URL means the embedded default: the Paystack
simulator runs in-process with a published demo key, so a newcomer funds a wallet with no
account anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from gateway.errors import ConfigError
from gateway.money import parse_naira

if TYPE_CHECKING:
    from gateway.settings import Secret

T = TypeVar("T")

PAYSTACK_LIVE_BASE_URL = "https://api.paystack.co"
# the embedded simulator's key: obviously fake, never valid at Paystack
DEMO_SECRET_KEY = "sk_test_paylink_demo_0000000000000000000000"  # noqa: S105


class FeeBearer(StrEnum):
    """Who pays Paystack's fee: the customer (the wallet gets the amount less the fee) or
    PayLink (the wallet gets the whole amount; the fee is PayLink's expense)."""

    CUSTOMER = "customer"
    PAYLINK = "paylink"


@dataclass(frozen=True, slots=True)
class FundingSettings:
    """Everything about funding a wallet; amounts in kobo, times in seconds."""

    secret_key: Secret | None = None  # PAYSTACK_SECRET_KEY; None: the simulator's demo key
    base_url: str | None = None  # PAYSTACK_BASE_URL; None with no key: run the simulator
    fee_bearer: FeeBearer = FeeBearer.PAYLINK
    min_amount: int = 10_000  # ₦100 (Paystack's own floor is ₦50)
    max_amount: int = 50_000_000  # ₦500,000 per funding
    daily_limit: int = 100_000_000  # ₦1,000,000 per user per Lagos day
    alert_amount: int = 20_000_000  # a single funding from ₦200,000 is logged as unusual
    callback_url: str | None = None  # the web app's return page; None: the dashboard's
    dva_provider: str | None = None  # None: `test-bank` with test keys, else `wema-bank`
    email_domain: str = "customers.paylink.ng"  # for users without an e-mail (Paystack needs one)
    sweep_interval_s: float = 60.0
    verify_after_s: float = 120.0  # an open funding this old is verified by the sweep
    abandon_after_s: float = 86_400.0  # then given up (a late payment still credits by webhook)
    webhook_limit: int = 6_000  # webhook requests per source address per minute
    simulator_webhook_url: str | None = None  # where the embedded simulator sends events

    @property
    def uses_builtin_simulator(self) -> bool:
        return self.secret_key is None and self.base_url is None

    @property
    def api_base(self) -> str:
        return (self.base_url or PAYSTACK_LIVE_BASE_URL).rstrip("/")

    def key_value(self) -> str:
        """The secret key to send (the demo key when none is configured)."""
        return DEMO_SECRET_KEY if self.secret_key is None else self.secret_key.value

    @property
    def domain(self) -> str:
        """`test` or `live`, as Paystack marks payloads made with this key."""
        return "live" if self.key_value().startswith("sk_live_") else "test"

    @property
    def provider(self) -> str:
        if self.dva_provider is not None:
            return self.dva_provider
        return "test-bank" if self.domain == "test" else "wema-bank"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], secret: Callable[[str], Secret | None]
    ) -> FundingSettings:
        """Read the funding variables from a mapping whose empty values were dropped.

        Raises:
            ConfigError: a value is invalid (the message names the variable).
        """
        defaults = cls()

        def get(name: str, parse: Callable[[str], T], default: T) -> T:
            raw = env.get(name)
            if raw is None:
                return default
            try:
                return parse(raw.strip())
            except ValueError as exc:
                raise ConfigError(f"{name}: {exc}") from exc

        settings = cls(
            secret_key=secret("PAYSTACK_SECRET_KEY"),
            base_url=get("PAYSTACK_BASE_URL", _http_url, None),
            fee_bearer=get("PAYLINK_FUNDING_FEE_BEARER", FeeBearer, defaults.fee_bearer),
            min_amount=get("PAYLINK_FUNDING_MIN", _naira, defaults.min_amount),
            max_amount=get("PAYLINK_FUNDING_MAX", _naira, defaults.max_amount),
            daily_limit=get("PAYLINK_FUNDING_DAILY_LIMIT", _naira, defaults.daily_limit),
            alert_amount=get("PAYLINK_FUNDING_ALERT", _naira, defaults.alert_amount),
            callback_url=get("PAYLINK_FUNDING_CALLBACK_URL", _http_url, None),
            dva_provider=env.get("PAYSTACK_DVA_PROVIDER"),
            email_domain=env.get("PAYLINK_FUNDING_EMAIL_DOMAIN", defaults.email_domain),
            sweep_interval_s=get(
                "PAYLINK_FUNDING_SWEEP_INTERVAL", _positive, defaults.sweep_interval_s
            ),
            verify_after_s=get("PAYLINK_FUNDING_VERIFY_AFTER", _positive, defaults.verify_after_s),
            abandon_after_s=get(
                "PAYLINK_FUNDING_ABANDON_AFTER", _positive, defaults.abandon_after_s
            ),
            webhook_limit=get("PAYLINK_PAYSTACK_WEBHOOK_LIMIT", _count, defaults.webhook_limit),
            simulator_webhook_url=get("PAYLINK_PAYSTACK_SIM_WEBHOOK_URL", _http_url, None),
        )
        key = settings.secret_key
        if key is not None and not key.value.startswith(("sk_test_", "sk_live_")):
            raise ConfigError("PAYSTACK_SECRET_KEY: must start with sk_test_ or sk_live_")
        if settings.min_amount < 5_000:
            raise ConfigError("PAYLINK_FUNDING_MIN: at least 50 (Paystack's minimum)")
        if settings.max_amount < settings.min_amount:
            raise ConfigError("PAYLINK_FUNDING_MAX: below PAYLINK_FUNDING_MIN")
        return settings


def _http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return raw


def _naira(raw: str) -> int:
    amount = parse_naira(raw)
    if amount <= 0:
        raise ValueError("must be a positive naira amount")
    return int(amount)


def _positive(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError("must be a positive number of seconds")
    return value


def _count(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value
