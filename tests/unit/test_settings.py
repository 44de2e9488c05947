"""Settings come from an environment mapping; the empty mapping is the embedded default."""

import pytest

from gateway.errors import ConfigError
from gateway.settings import Secret, Settings, VTPassMode

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
        {"PAYLINK_DATABASE_URL": "postgresql://u:p@db/paylink", "PAYLINK_JWT_SECRET": "k" * 32}
    )
    assert settings.database_url.value == "postgresql+psycopg://u:p@db/paylink"
    assert not settings.embedded


def test_repr_never_shows_a_secret():
    env = {
        **VTPASS_KEYS,
        "PAYLINK_DATABASE_URL": "postgresql+psycopg://paylink:hunter2pass@db/paylink",
        "PAYLINK_JWT_SECRET": "j" * 40,
        "AT_USERNAME": "sandbox",
        "AT_API_KEY": "atsk_supersecret",
        "TELEGRAM_BOT_TOKEN": "123:telegram-token",
        "PAYLINK_VTPASS_WEBHOOK_TOKEN": "hook-token-value",
    }
    text = repr(Settings.from_env(env))
    for secret in [
        *VTPASS_KEYS.values(),
        "hunter2pass",
        "j" * 40,
        "atsk_supersecret",
        "123:telegram-token",
        "hook-token-value",
    ]:
        assert secret not in text
    assert "paylink:***@db" in text


def test_secrets_compare_by_value():
    assert Secret("x") == Secret("x")
    assert Secret("x") != Secret("y")
