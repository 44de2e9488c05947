"""The circuit breaker on its own, with a hand-moved clock."""

from __future__ import annotations

import pytest

from gateway.errors import UpstreamUnavailable
from gateway.vtpass.breaker import BreakerState, CircuitBreaker, CircuitOpenError
from tests.vtpass.fakes import FakeTime


def make(threshold: int = 3, reset: float = 30.0) -> tuple[CircuitBreaker, FakeTime]:
    clock = FakeTime()
    return CircuitBreaker(threshold, reset, monotonic=clock), clock


def state(breaker: CircuitBreaker) -> BreakerState:
    """Read the state through a call, so mypy does not carry narrowing across time moves."""
    return breaker.state


def fail(breaker: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        breaker.record_failure(breaker.acquire())


def test_opens_after_consecutive_failures_only():
    breaker, _ = make(3)
    fail(breaker, 2)
    breaker.acquire()
    breaker.record_success()  # a success in between resets the count
    fail(breaker, 2)
    assert state(breaker) is BreakerState.CLOSED
    fail(breaker)
    assert state(breaker) is BreakerState.OPEN
    assert state(breaker) == "open"  # a StrEnum, for /readyz


def test_open_fails_fast_with_upstream_unavailable():
    breaker, _ = make(1)
    fail(breaker)
    with pytest.raises(CircuitOpenError) as info:
        breaker.acquire()
    assert isinstance(info.value, UpstreamUnavailable)
    assert "nothing was sent" in str(info.value)


def test_half_open_lets_exactly_one_probe_through():
    breaker, clock = make(1, reset=30)
    fail(breaker)
    clock.now += 29.9
    assert state(breaker) is BreakerState.OPEN
    clock.now += 0.1
    assert state(breaker) is BreakerState.HALF_OPEN
    assert breaker.acquire() is True  # the probe
    with pytest.raises(CircuitOpenError):
        breaker.acquire()  # everyone else still fails fast
    breaker.record_success()
    assert state(breaker) is BreakerState.CLOSED
    assert breaker.acquire() is False


def test_failed_probe_reopens_for_a_full_period():
    breaker, clock = make(1, reset=30)
    fail(breaker)
    clock.now += 30
    breaker.record_failure(breaker.acquire())
    assert state(breaker) is BreakerState.OPEN
    clock.now += 29
    assert state(breaker) is BreakerState.OPEN
    clock.now += 1
    assert state(breaker) is BreakerState.HALF_OPEN


def test_cancelled_probe_frees_the_slot():
    breaker, clock = make(1, reset=30)
    fail(breaker)
    clock.now += 30
    probe = breaker.acquire()
    breaker.release(probe)
    assert breaker.acquire() is True


def test_late_failure_of_a_call_admitted_while_closed_does_not_steal_the_probe():
    breaker, clock = make(1, reset=30)
    early = breaker.acquire()  # admitted while closed
    fail(breaker)  # opens
    clock.now += 30
    probe = breaker.acquire()
    breaker.record_failure(early)  # the slow early call fails now
    assert state(breaker) is BreakerState.HALF_OPEN
    breaker.record_success()
    assert probe is True
    assert state(breaker) is BreakerState.CLOSED


@pytest.mark.parametrize(("threshold", "reset"), [(0, 1.0), (1, -1.0)])
def test_rejects_nonsense_settings(threshold, reset):
    with pytest.raises(ValueError, match="must"):
        CircuitBreaker(threshold, reset)
