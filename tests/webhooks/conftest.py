"""The worker tests' gateway harness, reused (see tests/worker/harness.py)."""

from tests.worker.conftest import (  # noqa: F401 - fixtures
    gateway_overrides,
    harness,
    pg_harness,
    worker,
)
