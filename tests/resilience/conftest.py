"""`cluster`: two gateways and two workers as real processes (tests/resilience/cluster.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.resilience.cluster import Cluster, running_cluster
from tests.resilience.handsets import Alternating


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    async with running_cluster(tmp_path) as made:
        yield made


@pytest.fixture
async def alternating(cluster: Cluster) -> AsyncIterator[Alternating]:
    client = Alternating(cluster.gateway_urls)
    try:
        yield client
    finally:
        await client.aclose()
