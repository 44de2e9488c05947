"""Settings come from an environment mapping; the empty mapping is the embedded default."""

import ipaddress
import secrets

import pytest

from gateway.errors import ConfigError
from gateway.funding import FUNDING_HINT, shared_hint
from gateway.settings import Secret, Settings, VTPassMode

JWT = "settings-test-secret-0123456789abcdefghijklmnop"
POSTGRES = "postgresql+psycopg://u@db/paylink"
VTPASS_KEYS = {
    "VTPASS_API_KEY": "a" * 32,
    "VTPASS_PUBLIC_KEY": "PK_" + "b" * 40,
    "VTPASS_SECRET_KEY": "SK_" + "c" * 40,
}


def test_empty_environment_is_the_embedded_default():
    settings = Settings.from_env({})
    assert settings.embedded
    assert settings.database_url.value == "sqlite+aiosqlite:///./paylink.db"
    assert settings.redis_url is None
    assert settings.vtpass_mode is VTPassMode.SIMULATOR
    assert settings.uses_builtin_simulator
    assert settings.jwt_secret_generated


def test_settings_are_frozen():
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.log_level = "DEBUG"  # type: ignore[misc]


def test_empty_strings_count_as_unset():
    assert Settings.from_env({"PAYLINK_REDIS_URL": "", "PAYLINK_VTPASS_MODE": " "}).embedded


def test_sandbox_mode_defaults_to_the_sandbox_url():
    settings = Settings.from_env({"PAYLINK_VTPASS_MODE": "sandbox", **VTPASS_KEYS})
    assert settings.vtpass_base_url == "https://sandbox.vtpass.com/api/"
    assert not settings.uses_builtin_simulator


def test_live_mode_defaults_to_the_live_url():
    settings = Settings.from_env({"PAYLINK_VTPASS_MODE": "LIVE", **VTPASS_KEYS})
    assert settings.vtpass_base_url == "https://vtpass.com/api/"


def test_base_url_override_gets_a_trailing_slash():
    settings = Settings.from_env({"PAYLINK_VTPASS_BASE_URL": "http://127.0.0.1:8090/api"})
    assert settings.vtpass_base_url == "http://127.0.0.1:8090/api/"
    assert not settings.uses_builtin_simulator


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAYLINK_VTPASS_MODE", "production"),
        ("PAYLINK_VTPASS_BASE_URL", "ftp://example.com"),
        ("PAYLINK_DATABASE_URL", "mysql://root@localhost/x"),
        ("PAYLINK_REDIS_URL", "http://localhost"),
        ("PAYLINK_VTPASS_READ_TIMEOUT", "soon"),
        ("PAYLINK_VTPASS_PAY_READ_TIMEOUT", "-1"),
        ("PAYLINK_VTPASS_BREAKER_FAILURES", "0"),
        ("PAYLINK_JWT_ACCESS_TTL", "1.5"),
        ("PAYLINK_LOG_LEVEL", "LOUD"),
        ("PAYLINK_CORS_ORIGINS", "not-a-url"),
    ],
)
def test_a_bad_value_names_its_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


@pytest.mark.parametrize("missing", sorted(VTPASS_KEYS))
def test_sandbox_mode_requires_every_vtpass_key(missing):
    env = {"PAYLINK_VTPASS_MODE": "sandbox", **VTPASS_KEYS}
    del env[missing]
    with pytest.raises(ConfigError, match=missing):
        Settings.from_env(env)


def test_jwt_secret_is_required_outside_the_embedded_mode():
    with pytest.raises(ConfigError, match="PAYLINK_JWT_SECRET"):
        Settings.from_env({"PAYLINK_REDIS_URL": "redis://127.0.0.1:6379/0"})


def test_short_jwt_secret_is_refused():
    with pytest.raises(ConfigError, match="PAYLINK_JWT_SECRET"):
        Settings.from_env({"PAYLINK_JWT_SECRET": "short"})


def test_plain_postgresql_scheme_gets_the_psycopg_driver():
    settings = Settings.from_env(
        {
            "PAYLINK_DATABASE_URL": "postgresql://u:p@db/paylink",
            "PAYLINK_JWT_SECRET": JWT,
            "PAYLINK_AT_CALLBACK_OPEN": "true",
        }
    )
    assert settings.database_url.value == "postgresql+psycopg://u:p@db/paylink"
    assert not settings.embedded


def test_repr_never_shows_a_secret():
    env = {
        **VTPASS_KEYS,
        "PAYLINK_DATABASE_URL": "postgresql+psycopg://paylink:hunter2pass@db/paylink",
        "PAYLINK_JWT_SECRET": JWT,
        "AT_USERNAME": "sandbox",
        "AT_API_KEY": "atsk_supersecret",
        "TELEGRAM_BOT_TOKEN": "123:telegram-token",
        "PAYLINK_VTPASS_WEBHOOK_TOKEN": "hook-token-value-0123456789",
        "PAYLINK_AT_CALLBACK_TOKEN": "at-callback-token-0123456789",
    }
    text = repr(Settings.from_env(env))
    for secret in [
        *VTPASS_KEYS.values(),
        "hunter2pass",
        JWT,
        "atsk_supersecret",
        "123:telegram-token",
        "hook-token-value",
        "at-callback-token",
    ]:
        assert secret not in text
    assert "paylink:***@db" in text


def test_secrets_compare_by_value():
    assert Secret("x") == Secret("x")
    assert Secret("x") != Secret("y")


# -- weak secrets are refused at start-up ---------------------------------------------------------

KEYS = ("PAYLINK_JWT_SECRET", "PAYLINK_PIN_PEPPER")
TOKENS = ("PAYLINK_VTPASS_WEBHOOK_TOKEN", "PAYLINK_AT_CALLBACK_TOKEN", "TELEGRAM_WEBHOOK_SECRET")
WEAK = {
    "short": "Zq8-xY2_pL5",
    "one character": "k" * 48,
    "few characters": "secret-secret-" + "t" * 30,
    "a pattern repeated": "abcdefghij" * 4 + "abcd",
    "mostly one character": "abcdefghijkl" + "x" * 40,
}


def _env(name: str, value: str) -> dict[str, str]:
    env = {name: value}
    if name != "PAYLINK_JWT_SECRET":
        env["PAYLINK_JWT_SECRET"] = JWT
    return env


@pytest.mark.parametrize("name", [*KEYS, *TOKENS])
@pytest.mark.parametrize("kind", sorted(WEAK))
def test_a_weak_secret_is_refused_by_name_without_echoing_it(name, kind):
    value = WEAK[kind]
    with pytest.raises(ConfigError, match=name) as refused:
        Settings.from_env(_env(name, value))
    assert value not in str(refused.value)
    assert value[:8] not in str(refused.value)


def test_the_previous_pepper_is_held_to_the_same_rule():
    with pytest.raises(ConfigError, match="PAYLINK_PIN_PEPPER_PREVIOUS"):
        Settings.from_env(
            {
                "PAYLINK_PIN_PEPPER": secrets.token_urlsafe(32),
                "PAYLINK_PIN_PEPPER_PREVIOUS": "p" * 40,
            }
        )


def test_keys_need_32_characters_and_path_tokens_24():
    token = secrets.token_urlsafe(18)  # 24 characters
    assert Settings.from_env({"PAYLINK_AT_CALLBACK_TOKEN": token}).at_callback_token
    with pytest.raises(ConfigError, match="PAYLINK_JWT_SECRET"):
        Settings.from_env({"PAYLINK_JWT_SECRET": token})


@pytest.mark.parametrize("name", [*KEYS, *TOKENS])
def test_a_generated_secret_is_accepted(name):
    value = secrets.token_urlsafe(32)
    assert Settings.from_env(_env(name, value))


@pytest.mark.parametrize("name", ["PAYLINK_AT_CALLBACK_TOKEN", "PAYLINK_VTPASS_WEBHOOK_TOKEN"])
def test_a_path_token_must_be_one_url_segment(name):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: secrets.token_urlsafe(24) + "/x"})


# -- production must say how the Africa's Talking callbacks are protected -------------------------


@pytest.mark.parametrize(
    "production",
    [{"PAYLINK_DATABASE_URL": POSTGRES}, {"PAYLINK_REDIS_URL": "redis://127.0.0.1:6379/0"}],
)
def test_production_without_a_callback_token_or_allow_list_refuses_to_start(production):
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({**production, "PAYLINK_JWT_SECRET": JWT})
    message = str(refused.value)
    for name in (
        "PAYLINK_AT_CALLBACK_TOKEN",
        "PAYLINK_AT_ALLOWED_NETWORKS",
        "PAYLINK_AT_CALLBACK_OPEN",
    ):
        assert name in message


@pytest.mark.parametrize(
    "guard",
    [
        {"PAYLINK_AT_CALLBACK_TOKEN": "at-callback-0123456789abcdef"},
        {"PAYLINK_AT_ALLOWED_NETWORKS": "196.201.214.0/24"},
        {"PAYLINK_AT_CALLBACK_OPEN": "true"},
    ],
)
def test_production_starts_with_a_token_an_allow_list_or_an_explicit_open(guard):
    settings = Settings.from_env(
        {"PAYLINK_DATABASE_URL": POSTGRES, "PAYLINK_JWT_SECRET": JWT, **guard}
    )
    assert not settings.embedded


def test_the_embedded_default_needs_no_callback_guard():
    settings = Settings.from_env({})
    assert settings.at_callback_token is None
    assert settings.at_allowed_networks == ()
    assert not settings.at_callback_open


def test_the_allow_list_reads_comma_separated_cidr_blocks():
    settings = Settings.from_env(
        {"PAYLINK_AT_ALLOWED_NETWORKS": " 196.201.214.0/24, 2001:db8::/32 ,10.1.2.3"}
    )
    assert settings.at_allowed_networks == (
        ipaddress.ip_network("196.201.214.0/24"),
        ipaddress.ip_network("2001:db8::/32"),
        ipaddress.ip_network("10.1.2.3/32"),
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAYLINK_AT_ALLOWED_NETWORKS", "196.201.214.0/33"),
        ("PAYLINK_AT_ALLOWED_NETWORKS", "africastalking.com"),
        ("PAYLINK_AT_ALLOWED_NETWORKS", ", ,"),
        ("PAYLINK_AT_CALLBACK_OPEN", "maybe"),
    ],
)
def test_a_bad_callback_guard_setting_names_its_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_the_funding_hint_is_unset_by_default_and_can_be_reworded():
    assert Settings.from_env({}).funding_hint is None  # each channel's own words
    custom = Settings.from_env({"PAYLINK_FUNDING_HINT": "  Transfer to  GTBank 0123456789. "})
    assert custom.funding_hint == "Transfer to GTBank 0123456789."


@pytest.mark.parametrize(
    "value",
    ["x" * 81, "Top up at ₦ points", "Pay [here]", "one\x07bell"],
    ids=["too-long", "not-gsm7", "extension-chars", "control-char"],
)
def test_a_funding_hint_a_handset_cannot_show_is_refused_at_start(value):
    # it would make every "not enough money" screen fail its USSD budget check at run time
    with pytest.raises(ConfigError, match="PAYLINK_FUNDING_HINT"):
        Settings.from_env({"PAYLINK_FUNDING_HINT": value})


def test_a_funding_hint_worded_as_the_default_is_still_the_deployments_own():
    # set on purpose, it is shown on every channel, even if it reads like USSD's own words
    chosen = Settings.from_env({"PAYLINK_FUNDING_HINT": FUNDING_HINT}).funding_hint
    assert chosen == FUNDING_HINT
    assert shared_hint(chosen, online=True) == FUNDING_HINT
