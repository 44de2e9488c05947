"""`POST /webhooks/vtpass/{token}`: a hint to requery, never a reason to move money by itself.

VTPass redelivers a callback until it is acknowledged (up to five times) and signs nothing, so
the route checks its path token, acknowledges at once, and lets one requery per event decide.
"""

from __future__ import annotations

import asyncio
import copy

import httpx
import pytest

from gateway.domain.purchase_status import PurchaseStatus
from gateway.security.path_tokens import token_matches
from gateway.settings import Secret
from gateway.store import purchases as store
from gateway.vtpass.keys import vtpass_key
from tests.worker.harness import TOKEN, Harness, N, electricity

DELIVERED = {PurchaseStatus.DELIVERED}
PENDING_METER = "201000000000"


async def post(harness: Harness, body: object, token: str = TOKEN) -> httpx.Response:
    async with httpx.AsyncClient(base_url=harness.base_url) as client:
        return await client.post(f"/webhooks/vtpass/{token}", json=body)


async def pending_purchase(harness: Harness, key: str = "k1"):
    user_id = await harness.fund(10_000)
    purchase = await harness.submit(user_id, electricity(PENDING_METER), key)
    return await harness.wait_pending(purchase.id)


async def sent_callbacks(harness: Harness) -> list[dict]:
    await harness.settle_webhooks()
    return (await harness.control.get("__sim/webhooks")).json()["deliveries"]


def test_the_token_check_wants_the_exact_configured_token():
    assert token_matches("s3cret", Secret("s3cret"))
    assert not token_matches("s3cret-", Secret("s3cret"))
    assert not token_matches("", Secret("s3cret"))
    assert not token_matches("anything", None)


async def test_a_wrong_token_is_404_and_nothing_happens(harness, worker):
    purchase = await pending_purchase(harness)
    body = {"type": "transaction-update", "data": {"code": "000", "requestId": purchase.request_id}}

    response = await post(harness, body, token="wrong-token")

    assert response.status_code == 404
    await asyncio.sleep(0.1)
    assert harness.transport.requeries[purchase.request_id] == 0
    assert (await harness.service.get(purchase.id)).status is PurchaseStatus.PENDING


@pytest.mark.parametrize("gateway_overrides", [{"vtpass_webhook_token": None}])
async def test_without_a_configured_token_the_route_is_404(harness):
    response = await post(harness, {"type": "transaction-update"}, token=TOKEN)
    assert response.status_code == 404


async def test_a_webhook_before_the_requery_settles_by_requery(harness, worker):
    await harness.callbacks_on()
    purchase = await pending_purchase(harness)

    await harness.sim("resolve", {"request_id": purchase.request_id, "status": "delivered"})
    deliveries = await sent_callbacks(harness)

    assert [d["acknowledged"] for d in deliveries] == [True]
    assert deliveries[0]["attempts"][0]["response"] == '{"response": "success"}'
    done = await harness.wait_status(purchase.id, DELIVERED)
    assert harness.transport.requeries[purchase.request_id] == 1
    async with harness.db() as session:
        ops = [row.op for row in await store.audit_trail(session, purchase.id)]
    assert ops[-2:] == ["webhook", "requery"]
    assert await harness.wallet() == 10_000 * N - done.total
    await harness.reconciled()


async def test_a_webhook_after_the_requery_changes_nothing(harness, worker):
    purchase = await pending_purchase(harness)
    await harness.sim("resolve", {"request_id": purchase.request_id, "status": "delivered"})
    await harness.make_due()
    done = await harness.wait_status(purchase.id, DELIVERED)
    await harness.callbacks_on()

    body = {
        "type": "transaction-update",
        "data": {
            "code": "000",
            "response_description": "TRANSACTION DELIVERED",
            "requestId": purchase.request_id,
            "content": {"transactions": {"status": "delivered"}},
        },
    }
    response = await post(harness, body)
    await harness.settle_webhooks()

    assert response.json() == {"response": "success"}
    assert await harness.wallet() == 10_000 * N - done.total
    assert len(await harness.outbox(purchase.id)) == 1
    await harness.reconciled()


async def test_five_deliveries_of_one_event_make_one_requery_and_one_settlement(harness, worker):
    await harness.callbacks_on()
    purchase = await pending_purchase(harness)
    await harness.sim("resolve", {"request_id": purchase.request_id, "status": "delivered"})
    body = (await sent_callbacks(harness))[0]["body"]

    answers = await asyncio.gather(*(post(harness, copy.deepcopy(body)) for _ in range(4)))
    await harness.settle_webhooks()

    assert {a.status_code for a in answers} == {200}
    assert {a.text for a in answers} == {'{"response": "success"}'}
    assert harness.transport.requeries[purchase.request_id] == 1
    done = await harness.wait_status(purchase.id, DELIVERED)
    assert len(await harness.outbox(purchase.id)) == 1
    assert await harness.wallet() == 10_000 * N - done.total
    await harness.reconciled()


async def test_the_webhooks_word_alone_never_moves_money(harness, worker):
    purchase = await pending_purchase(harness)  # VTPass still says pending
    lie = {
        "type": "transaction-update",
        "data": {
            "code": "000",
            "response_description": "TRANSACTION DELIVERED",
            "requestId": purchase.request_id,
            "content": {"transactions": {"status": "delivered"}},
        },
    }

    assert (await post(harness, lie)).status_code == 200
    await harness.settle_webhooks()

    assert harness.transport.requeries[purchase.request_id] == 1
    still = await harness.service.get(purchase.id)
    assert still.status is PurchaseStatus.PENDING
    assert await harness.vtpass_float() == 0
    await harness.reconciled()


async def test_a_reversal_after_delivery_refunds_once(harness, worker):
    user_id = await harness.fund(10_000)
    purchase = await harness.submit(user_id, electricity(), "k1")
    await harness.wait_status(purchase.id, DELIVERED)
    await harness.callbacks_on()

    await harness.sim("reverse", {"request_id": purchase.request_id})
    deliveries = await sent_callbacks(harness)
    reversed_ = await harness.wait_status(purchase.id, {PurchaseStatus.REVERSED})
    await post(harness, deliveries[0]["body"])  # a redelivery
    await harness.settle_webhooks()

    assert reversed_.status is PurchaseStatus.REVERSED
    assert await harness.wallet() == 10_000 * N
    assert await harness.vtpass_float() == 0
    receipts = await harness.outbox(purchase.id)
    assert len(receipts) == 2
    assert "reversed" in receipts[-1].body
    await harness.reconciled()


async def test_an_unknown_request_id_is_acknowledged(harness):
    body = {
        "type": "transaction-update",
        "data": {"code": "000", "requestId": "202611271100unknownXXXXXX"},
    }
    response = await post(harness, body)
    await harness.settle_webhooks()
    assert response.json() == {"response": "success"}


async def test_an_unreadable_body_is_acknowledged(harness):
    async with httpx.AsyncClient(base_url=harness.base_url) as client:
        response = await client.post(f"/webhooks/vtpass/{TOKEN}", content=b"<html>oops")
    assert response.json() == {"response": "success"}


async def test_a_variations_update_drops_the_cached_plans(harness):
    catalogue = harness.app[vtpass_key].catalogue
    before = await catalogue.variations("gotv")
    await harness.callbacks_on()
    new = [{"variation_code": "gotv-new", "name": "GOtv New", "variation_amount": "999.00"}]

    await harness.sim("variations-update", {"serviceID": "gotv", "new_variations": new})
    await harness.settle_webhooks()

    after = await catalogue.variations("gotv")
    assert [v.code for v in after] == ["gotv-new"]
    assert [v.code for v in before] != ["gotv-new"]
