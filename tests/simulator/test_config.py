"""Spec §A: configuration defaults, `from_env`, and the built-in demo account."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.clock import SystemClock
from gateway.errors import ConfigError
from gateway.vtpass.simulator import DEMO_ACCOUNT, Limits, SimAccount, SimulatorConfig

KEYS = {
    "VTPASS_API_KEY": "0123456789abcdef0123456789abcdef",
    "VTPASS_PUBLIC_KEY": "PK_real_public",
    "VTPASS_SECRET_KEY": "SK_real_secret",
}


def test_defaults_follow_the_spec():
    config = SimulatorConfig()
    assert config.accounts == (DEMO_ACCOUNT,)
    assert isinstance(config.clock, SystemClock)
    assert config.strict_request_id_hour is False
    assert config.pending_resolve_after_s == 30.0
    assert config.pending_final_status == "delivered"
    assert config.timeout_delay_s == 120.0
    assert config.unexpected_mode == "weird_json"
    assert config.response_date_format == "iso"
    assert config.webhook_interval_s == 10.0
    assert config.webhook_max_attempts == 5


def test_default_account_matches_the_sandbox_profile():
    assert DEMO_ACCOUNT.wallet_balance == Decimal("100000.00")
    assert DEMO_ACCOUNT.auth_type == "all"
    assert DEMO_ACCOUNT.whitelisted_products is None
    assert DEMO_ACCOUNT.email == "sandbox@sandbox.vtpass.com"
    assert DEMO_ACCOUNT.phone == "123450987623"


def test_demo_keys_are_obviously_fake():
    assert DEMO_ACCOUNT.api_key.startswith("demo-")
    assert DEMO_ACCOUNT.public_key.startswith("PK_demo")
    assert DEMO_ACCOUNT.secret_key.startswith("SK_demo")


@pytest.mark.parametrize(
    ("service_id", "rate"),
    [
        ("mtn", "3.5"),
        ("mtn-data", "4"),
        ("ikeja-electric", "1.5"),
        ("dstv", "1.5"),
        ("showmax", "1"),
        ("jamb", "1.5"),
    ],
)
def test_default_commission_rates(service_id, rate):
    assert SimulatorConfig().commission_rates[service_id] == Decimal(rate)


def test_default_limits_and_fees():
    config = SimulatorConfig()
    assert config.limits["mtn"] == Limits(Decimal(50), Decimal(50000))
    assert config.limits["kano-electric"] == Limits(Decimal(500), Decimal(500000))
    assert config.convenience_fees == {"showmax": Decimal(100)}


def test_account_repr_hides_keys():
    text = repr(DEMO_ACCOUNT)
    for secret in (DEMO_ACCOUNT.api_key, DEMO_ACCOUNT.secret_key, DEMO_ACCOUNT.basic_pass):
        assert secret is not None
        assert secret not in text


def test_from_env_uses_the_vtpass_keys_when_all_are_set():
    [account] = SimulatorConfig.from_env(KEYS).accounts
    assert (account.api_key, account.public_key, account.secret_key) == tuple(KEYS.values())


@pytest.mark.parametrize("missing", list(KEYS))
def test_from_env_falls_back_to_the_demo_account_unless_all_keys_are_set(missing):
    environ = {k: v for k, v in KEYS.items() if k != missing}
    [account] = SimulatorConfig.from_env(environ).accounts
    assert account.api_key == DEMO_ACCOUNT.api_key


def test_from_env_reads_the_simulator_knobs():
    config = SimulatorConfig.from_env(
        {
            "PAYLINK_SIM_PENDING_RESOLVE_AFTER_S": "5",
            "PAYLINK_SIM_PENDING_FINAL_STATUS": "failed",
            "PAYLINK_SIM_TIMEOUT_DELAY_S": "0.5",
            "PAYLINK_SIM_WEBHOOK_INTERVAL_S": "0",
            "PAYLINK_SIM_UNEXPECTED_MODE": "html",
            "PAYLINK_SIM_NO_RESPONSE_MODE": "empty",
            "PAYLINK_SIM_DATE_FORMAT": "legacy_object",
            "PAYLINK_SIM_REVERSED_CODE": "040",
            "PAYLINK_SIM_STRICT_REQUEST_ID_HOUR": "true",
            "PAYLINK_SIM_DISCO_VARIANTS": "1",
            "PAYLINK_SIM_LATENCY_S": "1.5",
            "PAYLINK_SIM_WALLET_BALANCE": "2500.50",
            "PAYLINK_SIM_CALLBACK_URL": "http://127.0.0.1:8080/webhooks/vtpass/t0k3n",
            "PAYLINK_SIM_RANDOM_SEED": "7",
        }
    )
    assert config.pending_resolve_after_s == 5.0
    assert config.pending_final_status == "failed"
    assert config.timeout_delay_s == 0.5
    assert config.webhook_interval_s == 0.0
    assert config.unexpected_mode == "html"
    assert config.no_response_mode == "empty"
    assert config.response_date_format == "legacy_object"
    assert config.reversed_code == "040"
    assert config.strict_request_id_hour is True
    assert config.disco_variants is True
    assert config.latency_s == 1.5
    assert config.random_seed == 7
    assert config.accounts[0].wallet_balance == Decimal("2500.50")
    assert config.accounts[0].callback_url == "http://127.0.0.1:8080/webhooks/vtpass/t0k3n"


@pytest.mark.parametrize("value", ["manual", "none"])
def test_from_env_can_leave_pending_for_manual_resolution(value):
    config = SimulatorConfig.from_env({"PAYLINK_SIM_PENDING_RESOLVE_AFTER_S": value})
    assert config.pending_resolve_after_s is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAYLINK_SIM_TIMEOUT_DELAY_S", "soon"),
        ("PAYLINK_SIM_TIMEOUT_DELAY_S", "-1"),
        ("PAYLINK_SIM_UNEXPECTED_MODE", "teapot"),
        ("PAYLINK_SIM_PENDING_FINAL_STATUS", "pending"),
        ("PAYLINK_SIM_DISCO_VARIANTS", "maybe"),
        ("PAYLINK_SIM_WALLET_BALANCE", "lots"),
        ("PAYLINK_SIM_RANDOM_SEED", "x"),
    ],
)
def test_from_env_names_the_bad_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        SimulatorConfig.from_env({name: value})


def test_config_refuses_unknown_modes():
    with pytest.raises(ValueError, match="unexpected_mode"):
        SimulatorConfig(unexpected_mode="teapot")  # type: ignore[arg-type]


def test_config_refuses_duplicate_api_keys():
    twin = SimAccount(api_key=DEMO_ACCOUNT.api_key, public_key="PK_x", secret_key="SK_x")
    with pytest.raises(ValueError, match="distinct"):
        SimulatorConfig(accounts=(DEMO_ACCOUNT, twin))
