"""Webhook dedupe remembers what requeries found, never what a webhook claimed.

Two settlers sharing a Redis prefix stand for two gateways behind one callback URL; without
Redis, one settler's memory is the whole story. A forged claim holds its key only while its
requery runs, and a copy that arrives meanwhile is not lost.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis.asyncio as aioredis

from gateway.vtpass.keys import vtpass_key
from gateway.webhooks.settler import WebhookSettler

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
RID = "202611271100abcdefghijkl"


@pytest.fixture
async def redis_client():
    client = aioredis.Redis.from_url(REDIS_URL)
    prefix = f"paylink-test:{uuid.uuid4().hex[:12]}:"
    try:
        yield client, prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture(params=["local", "redis"])
def gateways(request, harness):
    """Two settlers: sharing Redis (two gateways), or one process's memory twice."""

    def settler(redis=None, prefix="paylink:"):
        return WebhookSettler(
            harness.service,
            harness.app[vtpass_key],
            harness.clock,
            redis=redis,
            redis_prefix=prefix,
        )

    if request.param == "local":
        one = settler()
        return one, one
    client, prefix = request.getfixturevalue("redis_client")
    return settler(client, prefix), settler(client, prefix)


async def test_a_contradicted_claim_is_forgotten_so_the_genuine_one_acts(gateways):
    first, second = gateways
    assert await first.first_delivery(f"{RID}:reversed")  # forged, its requery starts

    await first.record_found(f"{RID}:delivered")  # VTPass says delivered
    assert not await first.forget(f"{RID}:reversed")  # nobody else claimed it meanwhile

    assert await second.first_delivery(f"{RID}:reversed")  # the genuine one, later, acts


async def test_a_copy_during_the_requery_is_handed_back_to_it(gateways):
    first, second = gateways
    assert await first.first_delivery(f"{RID}:reversed")
    assert not await second.first_delivery(f"{RID}:reversed")  # held: one requery at a time

    await first.record_found(f"{RID}:delivered")
    assert await first.forget(f"{RID}:reversed")  # a copy came: the holder asks once more


async def test_a_found_outcome_makes_its_redeliveries_duplicates(gateways):
    first, second = gateways
    assert await first.first_delivery(f"{RID}:delivered")
    await first.record_found(f"{RID}:delivered")

    assert not await second.first_delivery(f"{RID}:delivered")
    assert not await first.forget(f"{RID}:delivered")  # found, so not released by mistake
    assert not await second.first_delivery(f"{RID}:delivered")
    assert await second.first_delivery(f"{RID}:reversed")  # a reversal is still news


async def test_after_a_final_outcome_every_claim_is_a_duplicate(gateways):
    first, second = gateways
    await first.record_found(f"{RID}:failed")

    for claim in ("delivered", "reversed", "pending", "failed"):
        assert not await second.first_delivery(f"{RID}:{claim}")


async def test_a_copy_seen_at_another_gateway_does_not_block_it_later(gateways):
    first, second = gateways
    assert await first.first_delivery(f"{RID}:reversed")  # forged, at the first gateway
    assert not await second.first_delivery(f"{RID}:reversed")  # a copy, at the second
    await first.record_found(f"{RID}:delivered")
    assert await first.forget(f"{RID}:reversed")  # the copy: the first gateway asks again
    assert await first.first_delivery(f"{RID}:reversed")
    await first.record_found(f"{RID}:delivered")  # still delivered
    assert not await first.forget(f"{RID}:reversed")

    assert await second.first_delivery(f"{RID}:reversed")  # the genuine one, later, acts
