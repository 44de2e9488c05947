"""A small circuit breaker for the VTPass client, whose `state` `/readyz` reports.

Why: when VTPass is down, every purchase would otherwise wait out a connect timeout. After
`failure_threshold` consecutive transport failures or 5xx answers the breaker opens and calls fail
fast with `CircuitOpenError` (an `UpstreamUnavailable`: nothing was sent, so failing is safe). After
`reset_timeout_s` it is half-open and lets exactly one probe through; the probe's result closes or
re-opens it.

Async-safety: every method is synchronous and never awaits, so on one event loop each
check-and-set is atomic; no lock is needed. The time source is injected (`time.monotonic` by
default), so tests move time by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from gateway.errors import UpstreamUnavailable
from gateway.metrics import BREAKER_OPEN


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpenError(UpstreamUnavailable):
    """Raised instead of calling VTPass while the breaker is open (or its probe is out)."""

    code = "upstream_circuit_open"


class CircuitBreaker:
    """Consecutive-failure breaker: closed -> open -> half-open (one probe) -> closed | open.

    Callers bracket each upstream call: `probe = acquire()` before, then exactly one of
    `record_success()`, `record_failure(probe)` or `release(probe)` (the call ended without a
    verdict, e.g. it was cancelled) after. `probe` tells a late answer from a call admitted while
    closed apart from the half-open probe's own answer.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout_s: float = 30.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_timeout_s < 0:
            raise ValueError("reset_timeout_s must not be negative")
        self.failure_threshold = failure_threshold
        self.reset_timeout_s = reset_timeout_s
        self._monotonic = monotonic
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_out = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._monotonic() - self._opened_at >= self.reset_timeout_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def acquire(self) -> bool:
        """Admit one call (True if it is the half-open probe), or raise `CircuitOpenError`."""
        state = self.state
        if state is BreakerState.CLOSED:
            return False
        if state is BreakerState.HALF_OPEN and not self._probe_out:
            self._probe_out = True
            return True
        raise CircuitOpenError(
            f"VTPass circuit is {state} after {self._failures} consecutive failures; "
            "not calling it (nothing was sent)"
        )

    def record_success(self) -> None:
        """Any answer from VTPass proves it reachable: close and forget past failures."""
        if self._opened_at is not None:
            BREAKER_OPEN.set(0)
        self._failures = 0
        self._opened_at = None
        self._probe_out = False

    def record_failure(self, probe: bool = False) -> None:
        self._failures += 1
        if probe:
            self._probe_out = False
            self._opened_at = self._monotonic()  # re-open for another full reset period
        elif self._opened_at is None and self._failures >= self.failure_threshold:
            self._opened_at = self._monotonic()
            BREAKER_OPEN.set(1)

    def release(self, probe: bool = False) -> None:
        """End a call that gave no verdict; a half-open probe's slot becomes free again."""
        if probe:
            self._probe_out = False
