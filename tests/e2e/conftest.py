"""The gateway-against-the-simulator harness of tests/worker, for the end-to-end scenarios."""

from tests.worker.conftest import (  # noqa: F401 - fixtures
    gateway_overrides,
    harness,
    pg_harness,
    worker,
)
