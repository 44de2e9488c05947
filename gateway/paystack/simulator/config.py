"""The Paystack simulator's start-up knobs; `from_env` reads the gateway's own key variables.

`PAYSTACK_SECRET_KEY` (else the published demo key), `PAYLINK_PAYSTACK_SIM_WEBHOOK_URL` (where
events go; `--webhook-url` overrides it), `PAYLINK_PAYSTACK_SIM_TIME_SCALE` (multiplies every
webhook retry wait: 0.001 turns Paystack's hourly retries into 3.6 s).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.clock import Clock, SystemClock
from gateway.errors import ConfigError
from gateway.funding_settings import DEMO_SECRET_KEY


@dataclass(frozen=True, slots=True)
class PaystackSimConfig:
    """What the simulator is told at start-up; keys are hidden from `repr`."""

    secret_keys: tuple[str, ...] = field(default=(DEMO_SECRET_KEY,), repr=False)
    webhook_url: str | None = None
    clock: Clock = field(default_factory=SystemClock)
    time_scale: float = 1.0  # webhook retry waits are multiplied by this
    webhook_timeout_s: float = 30.0
    unknown_reference_status: int = 404  # 400 in some third-party observations (§8.3)
    product_name: str = "PAYLINK"  # the first half of every dedicated account's name
    account_limit: int = 1_000  # dedicated accounts per business (§4)

    def __post_init__(self) -> None:
        if not self.secret_keys:
            raise ValueError("the simulator needs at least one secret key")
        for key in self.secret_keys:
            if not key.startswith(("sk_test_", "sk_live_")):
                raise ValueError("secret keys start with sk_test_ or sk_live_")
        if self.time_scale < 0:
            raise ValueError("time_scale must not be negative")
        if self.unknown_reference_status not in (400, 404):
            raise ValueError("unknown_reference_status must be 400 or 404")

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], *, webhook_url: str | None = None
    ) -> PaystackSimConfig:
        """Raises `ConfigError` for a value the simulator cannot use."""
        key = environ.get("PAYSTACK_SECRET_KEY", "").strip() or DEMO_SECRET_KEY
        url = webhook_url or environ.get("PAYLINK_PAYSTACK_SIM_WEBHOOK_URL", "").strip() or None
        scale_text = environ.get("PAYLINK_PAYSTACK_SIM_TIME_SCALE", "").strip() or "1"
        try:
            scale = float(scale_text)
            return cls(secret_keys=(key,), webhook_url=url, time_scale=scale)
        except ValueError as exc:
            raise ConfigError(f"Paystack simulator: {exc}") from None
