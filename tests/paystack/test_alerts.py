"""Unusual fundings reach operators twice: a WARNING on `gateway.paystack.alerts` (the log
line names the reference) and `paylink_funding_alerts_total{reason}`, a counter to alert on."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from tests.paystack.conftest import N
from tests.paystack.test_transfers import account


def counted(reason: str) -> float:
    return REGISTRY.get_sample_value("paylink_funding_alerts_total", {"reason": reason}) or 0.0


def alert_lines(caplog: pytest.LogCaptureFixture, word: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "gateway.paystack.alerts" and r.getMessage().startswith(word)
    ]


async def test_an_amount_mismatch_is_logged_and_counted_as_an_alert(funding, caplog):
    caplog.set_level(logging.WARNING, logger="gateway.paystack.alerts")
    before = counted("review")
    auth = await funding.user()
    started = await funding.start(auth, 5_000)

    await funding.pay(started["reference"], amount_override=100 * N)
    await funding.settle()

    assert counted("review") == before + 1
    [line] = alert_lines(caplog, "funding_review")
    assert started["reference"] in line


@pytest.mark.parametrize("funding_env", [{"PAYLINK_FUNDING_ALERT": "5000"}])
async def test_a_large_card_funding_is_credited_and_raises_an_alert(funding, caplog):
    caplog.set_level(logging.WARNING, logger="gateway.paystack.alerts")
    before = counted("large")
    auth = await funding.user()
    started = await funding.start(auth, 5_000)

    await funding.pay(started["reference"])
    await funding.settle()

    assert await funding.balance(auth) == 5_000 * N
    assert counted("large") == before + 1
    [line] = alert_lines(caplog, "funding_unusual")
    assert started["reference"] in line
    assert "reason=large" in line


@pytest.mark.parametrize("funding_env", [{"PAYLINK_FUNDING_DAILY_LIMIT": "10000"}])
async def test_transfers_past_the_daily_limit_are_credited_and_raise_an_alert(funding, caplog):
    caplog.set_level(logging.WARNING, logger="gateway.paystack.alerts")
    before = counted("over_daily_limit")
    auth = await funding.user()
    _, shown = await account(funding, auth)

    for _ in range(2):
        await funding.sim_post(
            "transfers", {"account_number": shown["account_number"], "amount": 7_500 * N}
        )
        await funding.settle()

    assert await funding.balance(auth) == 15_000 * N  # money that arrived is never refused
    assert counted("over_daily_limit") == before + 1
    [line] = alert_lines(caplog, "funding_unusual")
    assert "reason=over_daily_limit" in line
    await funding.reconciled()
