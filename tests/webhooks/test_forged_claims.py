"""A forged or early "reversed" webhook cannot swallow the genuine reversal's.

The attack: someone holding the path token (or VTPass itself, too early) posts "reversed" for
a purchase VTPass still calls delivered. The requery finds it delivered and nothing moves.
Dedupe keys are what requeries found, so when VTPass really reverses the purchase, its webhook
is news and refunds exactly once, whether dedupe lives in process memory or in Redis (two
gateways). If no webhook comes at all, the worker's post-delivery check finds the reversal.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from gateway.domain.purchase_status import PurchaseStatus
from gateway.settings import Secret
from gateway.webhooks.settler import RECHECK_AFTER_CONTRADICTION_S
from tests.webhooks.test_vtpass_webhook import DELIVERED, post, sent_callbacks
from tests.worker.harness import Harness, N, electricity

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["local-dedupe", "redis-dedupe"])
async def gateway_overrides(request) -> AsyncIterator[dict[str, Any]]:
    """The gateway alone (dedupe in memory), or in production shape with Redis."""
    if request.param == "local-dedupe":
        yield {}
        return
    prefix = f"paylink-test:{uuid.uuid4().hex[:12]}:"
    yield {"redis_url": Secret(REDIS_URL), "redis_prefix": prefix, "at_callback_open": True}
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


def reversed_claim(request_id: str) -> dict:
    """A "reversed" callback as VTPass sends one; anyone holding the path token can send it."""
    return {
        "type": "transaction-update",
        "data": {
            "code": "040",
            "response_description": "TRANSACTION REVERSED",
            "requestId": request_id,
            "content": {"transactions": {"status": "reversed"}},
        },
    }


async def delivered_purchase(harness: Harness):
    user_id = await harness.fund(10_000)
    purchase = await harness.submit(user_id, electricity(), "k1")
    return await harness.wait_status(purchase.id, DELIVERED)


async def test_a_forged_reversal_cannot_swallow_the_genuine_one(harness, worker):
    delivered = await delivered_purchase(harness)
    paid = 10_000 * N - delivered.total

    assert (await post(harness, reversed_claim(delivered.request_id))).status_code == 200
    await harness.settle_webhooks()

    # VTPass says delivered: the forged claim moved nothing
    assert (await harness.service.get(delivered.id)).status is PurchaseStatus.DELIVERED
    assert await harness.wallet() == paid
    assert harness.transport.requeries[delivered.request_id] == 1

    await harness.callbacks_on()
    await harness.sim("reverse", {"request_id": delivered.request_id})
    deliveries = await sent_callbacks(harness)
    await post(harness, deliveries[0]["body"])  # and a redelivery of the genuine one
    await harness.settle_webhooks()

    assert (await harness.service.get(delivered.id)).status is PurchaseStatus.REVERSED
    assert await harness.wallet() == 10_000 * N  # refunded, exactly once
    assert await harness.vtpass_float() == 0
    assert harness.transport.requeries[delivered.request_id] == 2
    receipts = await harness.outbox(delivered.id)
    assert len(receipts) == 2
    await harness.reconciled()


async def test_a_contradicted_reversal_is_asked_again_by_the_post_delivery_check(harness, worker):
    """An early "reversed" (VTPass's requery does not show it yet), then no second webhook:
    the worker's check asks again later and finds the reversal."""
    delivered = await delivered_purchase(harness)
    await post(harness, reversed_claim(delivered.request_id))
    await harness.settle_webhooks()
    await harness.sim("reverse", {"request_id": delivered.request_id})  # callbacks are off

    assert await worker.recheck_delivered() == 0  # not due yet
    await harness.make_due(RECHECK_AFTER_CONTRADICTION_S + 1)
    assert await worker.recheck_delivered() == 1

    assert (await harness.service.get(delivered.id)).status is PurchaseStatus.REVERSED
    assert await harness.wallet() == 10_000 * N
    await harness.reconciled()
