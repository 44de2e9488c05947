"""The history list: pagination with totals and links, filters, ordering, and privacy."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from gateway.keys import db_key
from gateway.store.tables import Purchase
from tests.api.helpers import OTHER_PHONE, N, airtime, bearer, idem, ready_buyer


async def _buy(client, tokens, body):
    return await client.post("/api/v1/purchases", json=body, headers={**bearer(tokens), **idem()})


async def _history(client, tokens, **params):
    query = {k: str(v) for k, v in params.items()}
    response = await client.get("/api/v1/transactions", params=query, headers=bearer(tokens))
    assert response.status == 200, await response.text()
    return await response.json()


async def test_pages_have_totals_and_links_that_keep_the_filters(client):
    tokens = await ready_buyer(client, naira=10_000)
    for naira in (100, 200, 300, 400, 500):
        assert (await _buy(client, tokens, airtime(naira))).status == 202

    page = await _history(client, tokens, page=2, page_size=2, category="airtime")

    assert page["total"] == 5
    assert page["total_pages"] == 3
    assert page["total_amount"]["kobo"] == 1_500 * N
    assert [p["total"]["kobo"] for p in page["items"]] == [300 * N, 200 * N]
    links = page["links"]
    assert "category=airtime" in links["next"]
    assert "page=3" in links["next"]
    assert "page=1" in links["prev"]
    assert "page=3" in links["last"]
    last = await _history(client, tokens, page=3, page_size=2)
    assert last["links"]["next"] is None


async def test_ordering_by_amount_and_created_at(client):
    tokens = await ready_buyer(client, naira=10_000)
    for naira in (300, 100, 200):
        await _buy(client, tokens, airtime(naira))

    cheapest_first = await _history(client, tokens, ordering="amount")
    oldest_first = await _history(client, tokens, ordering="created_at")
    newest_first = await _history(client, tokens)

    assert [p["total"]["kobo"] // N for p in cheapest_first["items"]] == [100, 200, 300]
    assert [p["total"]["kobo"] // N for p in oldest_first["items"]] == [300, 100, 200]
    assert [p["total"]["kobo"] // N for p in newest_first["items"]] == [200, 100, 300]


async def test_filters_by_status_service_reference_and_date(client, clock):
    tokens = await ready_buyer(client, naira=20_000)
    await _buy(client, tokens, airtime(100))
    electricity = {
        "service_id": "ikeja-electric",
        "variation_code": "prepaid",
        "customer_ref": "1111111111111",
        "amount": 1_000 * N,
        "pin": "2580",
    }
    bought = await (await _buy(client, tokens, electricity)).json()
    async with client.app[db_key].begin() as session:
        await session.execute(
            update(Purchase)
            .where(Purchase.id == bought["id"])
            .values(created_at=clock.now() - timedelta(days=3))
        )

    by_service = await _history(client, tokens, service_id="ikeja-electric")
    by_ref = await _history(client, tokens, customer_ref="1111111111111")
    by_status = await _history(client, tokens, status="initiated")
    delivered = await _history(client, tokens, status="delivered")
    recent = await _history(
        client, tokens, created_from=(clock.now() - timedelta(days=1)).isoformat()
    )
    older = await _history(client, tokens, created_to=(clock.now() - timedelta(days=1)).isoformat())

    assert [p["id"] for p in by_service["items"]] == [bought["id"]]
    assert [p["id"] for p in by_ref["items"]] == [bought["id"]]
    assert by_status["total"] == 2
    assert delivered["total"] == 0
    assert [p["service_id"] for p in recent["items"]] == ["mtn"]
    assert [p["id"] for p in older["items"]] == [bought["id"]]


async def test_a_user_sees_only_their_own_history(client):
    alice = await ready_buyer(client)
    bob = await ready_buyer(client, OTHER_PHONE)
    await _buy(client, alice, airtime(100))

    assert (await _history(client, bob))["total"] == 0
    assert (await _history(client, alice))["total"] == 1


async def test_bad_query_parameters_are_422(client):
    tokens = await ready_buyer(client)
    for params in (
        {"page_size": "101"},
        {"page": "0"},
        {"ordering": "password"},
        {"status": "stolen"},
        {"created_from": "2025-01-01T00:00:00"},  # no timezone: ambiguous
        {"created_from": "yesterday"},
    ):
        response = await client.get("/api/v1/transactions", params=params, headers=bearer(tokens))
        assert response.status == 422, params
        assert (await response.json())["error"]["details"]["fields"][0]["field"].startswith(
            "query."
        )


async def test_transaction_detail(client):
    tokens = await ready_buyer(client)
    bought = await (await _buy(client, tokens, airtime(100))).json()

    response = await client.get(f"/api/v1/transactions/{bought['id']}", headers=bearer(tokens))

    assert response.status == 200
    assert (await response.json()) == bought


async def test_huge_and_non_numeric_ids_are_422_not_500(client):
    tokens = await ready_buyer(client)
    for raw in ("99999999999999999999999", "abc", "-1", "0"):
        response = await client.get(f"/api/v1/transactions/{raw}", headers=bearer(tokens))
        assert response.status == 422, raw
