"""`PAYLINK_PENDING_NOTICE_AFTER`: seconds after submit before the one pending notice; 0: never."""

from __future__ import annotations

import pytest

from gateway.errors import ConfigError
from gateway.settings import Settings


def test_the_default_is_ten_minutes():
    assert Settings.from_env({}).pending_notice_after_s == 600.0


def test_it_reads_seconds():
    assert Settings.from_env({"PAYLINK_PENDING_NOTICE_AFTER": "900"}).pending_notice_after_s == 900


@pytest.mark.parametrize("value", ["-1", "ten", "nan"])
def test_a_bad_value_names_the_variable(value):
    with pytest.raises(ConfigError, match="PAYLINK_PENDING_NOTICE_AFTER"):
        Settings.from_env({"PAYLINK_PENDING_NOTICE_AFTER": value})


@pytest.mark.parametrize(
    ("gateway_overrides", "policy"),
    [({"pending_notice_after_s": 900.0}, 900.0), ({"pending_notice_after_s": 0.0}, None)],
)
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_app_gives_its_purchase_service_the_setting(harness, policy):
    assert harness.service.policy.pending_notice_s == policy
