"""The parts behind `/metrics`: bounded labels, failure reasons, the breaker gauge, the float
gauges, and several processes sharing one directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY, generate_latest

from gateway.gauges import FLOAT_TTL_S, ScrapeGauges
from gateway.metrics import bounded
from gateway.vtpass.breaker import CircuitBreaker
from gateway.worker.notifier import SendResult
from gateway.worker.outbox_lane import failure_reason


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("InvalidPhoneNumber", "InvalidPhoneNumber"),
        ("timeout", "timeout"),
        ("no answer (ConnectionError)", "other"),
        ("+2348031234567", "other"),
        (None, "other"),
        ("x" * 41, "other"),
    ],
)
def test_only_a_short_word_becomes_a_label(value, label):
    assert bounded(value) == label


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (
            SendResult.rejected("x", status_code=403, status="InvalidPhoneNumber"),
            "InvalidPhoneNumber",
        ),
        (SendResult.retry("HTTP 401: authentication is invalid", status_code=401), "http_401"),
        (SendResult.retry("timeout"), "timeout"),
        (SendResult.retry("no answer (ConnectionError)"), "retry"),
        (SendResult.rejected("Forbidden: bot was blocked by the user; sent as SMS"), "rejected"),
    ],
)
def test_a_failed_send_is_counted_under_a_short_reason(result, reason):
    assert failure_reason(result) == reason


def breaker_open() -> float | None:
    return REGISTRY.get_sample_value("paylink_vtpass_breaker_open")


def test_the_breaker_gauge_follows_the_breaker_open_and_closed():
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout_s=5, monotonic=lambda: now[0])
    breaker.record_failure()
    breaker.record_failure()
    assert breaker_open() == 1
    now[0] = 6.0
    assert breaker.acquire() is True  # the half-open probe
    breaker.record_success()
    assert breaker_open() == 0


class FakeVTPass:
    def __init__(self, balance: int | Exception) -> None:
        self.balance_kobo = balance
        self.calls = 0

    async def balance(self) -> int:
        self.calls += 1
        if isinstance(self.balance_kobo, Exception):
            raise self.balance_kobo
        return self.balance_kobo


def exposition(gauges: ScrapeGauges) -> dict[str, float]:
    return {sample.name: sample.value for family in gauges.collect() for sample in family.samples}


async def test_a_float_under_the_threshold_is_flagged_low():
    gauges = ScrapeGauges(monotonic=lambda: 100.0)
    gauges.low_float = 5_000_000
    await gauges.refresh_float(FakeVTPass(4_999_999))
    shown = exposition(gauges)
    assert shown["paylink_vtpass_float_kobo"] == 4_999_999
    assert shown["paylink_vtpass_float_low"] == 1
    assert shown["paylink_vtpass_float_low_threshold_kobo"] == 5_000_000


async def test_a_float_at_the_threshold_is_not_low():
    gauges = ScrapeGauges()
    gauges.low_float = 5_000_000
    await gauges.refresh_float(FakeVTPass(5_000_000))
    assert exposition(gauges)["paylink_vtpass_float_low"] == 0


async def test_a_float_never_read_is_not_made_up():
    gauges = ScrapeGauges()
    await gauges.refresh_float(FakeVTPass(RuntimeError("down")))
    shown = exposition(gauges)
    assert "paylink_vtpass_float_kobo" not in shown
    assert "paylink_vtpass_float_low" not in shown


async def test_vtpass_is_asked_for_the_float_once_a_ttl_and_the_last_value_is_kept():
    now = [0.0]
    gauges = ScrapeGauges(monotonic=lambda: now[0])
    vtpass = FakeVTPass(9_000_000)
    await gauges.refresh_float(vtpass)
    now[0] = FLOAT_TTL_S - 1
    await gauges.refresh_float(vtpass)
    assert vtpass.calls == 1
    now[0] = FLOAT_TTL_S
    vtpass.balance_kobo = RuntimeError("VTPass is down")
    await gauges.refresh_float(vtpass)
    shown = exposition(gauges)
    assert vtpass.calls == 2
    assert shown["paylink_vtpass_float_kobo"] == 9_000_000
    assert shown["paylink_vtpass_float_age_seconds"] == FLOAT_TTL_S


CHILD = """
from gateway.metrics import HOPS
HOPS.labels("ussd", "ended").inc({n})
"""
SCRAPE = """
from prometheus_client import generate_latest
from gateway.health import _processes
print(generate_latest(_processes()).decode())
"""


def run(code: str, directory: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_with_a_shared_directory_one_scrape_answers_for_every_process(tmp_path):
    run(CHILD.format(n=2), tmp_path)
    run(CHILD.format(n=3), tmp_path)
    text = run(SCRAPE, tmp_path)
    assert 'paylink_hops_total{channel="ussd",outcome="ended"} 5.0' in text


def test_without_it_the_scrape_is_this_processs_registry():
    assert b"paylink_hops_total" in generate_latest(REGISTRY)


OPENED = """
from gateway.metrics import BREAKER_OPEN, forget_this_process
BREAKER_OPEN.set(1)
{exit}
"""


def test_a_stopped_process_open_breaker_leaves_the_shared_answer(tmp_path):
    run(OPENED.format(exit="forget_this_process()"), tmp_path)
    assert "paylink_vtpass_breaker_open 1.0" not in run(SCRAPE, tmp_path)


def test_a_running_process_open_breaker_is_the_shared_answer(tmp_path):
    run(OPENED.format(exit=""), tmp_path)  # it never said it stopped: still counted as live
    assert "paylink_vtpass_breaker_open 1.0" in run(SCRAPE, tmp_path)
