"""Fixtures: a PurchaseService with a fixed clock (tests/purchases) and the gateway app with
the simulator and the worker (tests/worker), each on Postgres and SQLite."""

from __future__ import annotations

from tests.purchases.conftest import clock, service  # noqa: F401 - fixtures
from tests.worker.conftest import gateway_overrides, harness  # noqa: F401 - fixtures
