"""The history list: pagination with totals and links, filters, ordering, and privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from gateway.clock import LAGOS
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


async def test_total_amount_counts_what_was_paid_not_what_was_refunded(client):
    tokens = await ready_buyer(client, naira=10_000)
    bought = [await (await _buy(client, tokens, airtime(n))).json() for n in (100, 200, 300, 400)]
    # settled outcomes as the worker would leave them: 100 delivered, 200 still pending,
    # 300 failed (refunded), 400 reversed (refunded after delivery)
    async with client.app[db_key].begin() as session:
        for purchase, status in zip(
            bought, ("delivered", "pending", "failed", "reversed"), strict=True
        ):
            await session.execute(
                update(Purchase).where(Purchase.id == purchase["id"]).values(status=status)
            )
    fifth = await (await _buy(client, tokens, airtime(500))).json()  # initiated: debited

    page = await _history(client, tokens, page_size=1)
    failed = await _history(client, tokens, status="failed")

    assert fifth["status"] == "initiated"
    assert page["total"] == 5
    assert page["total_amount"]["kobo"] == (100 + 200 + 500) * N
    assert failed["total"] == 1
    assert failed["total_amount"]["kobo"] == 0


async def _created_at(client, purchase_id: int, at: datetime) -> None:
    async with client.app[db_key].begin() as session:
        await session.execute(
            update(Purchase).where(Purchase.id == purchase_id).values(created_at=at)
        )


async def test_date_only_filters_are_lagos_days_with_an_inclusive_end(client):
    tokens = await ready_buyer(client, naira=10_000)
    ids = [(await (await _buy(client, tokens, airtime(100))).json())["id"] for _ in range(4)]
    lagos = [
        datetime(2026, 11, 30, 23, 30, tzinfo=LAGOS),  # the evening before: out
        datetime(2026, 12, 1, 0, 30, tzinfo=LAGOS),  # 23:30 UTC on Nov 30, but Dec 1 in Lagos
        datetime(2026, 12, 7, 23, 30, tzinfo=LAGOS),  # the last evening of the range: in
        datetime(2026, 12, 8, 0, 30, tzinfo=LAGOS),  # 23:30 UTC on Dec 7, but Dec 8 in Lagos
    ]
    for purchase_id, at in zip(ids, lagos, strict=True):
        await _created_at(client, purchase_id, at.astimezone(UTC))

    week = await _history(client, tokens, created_from="2026-12-01", created_to="2026-12-07")
    one_day = await _history(client, tokens, created_from="2026-12-07", created_to="2026-12-07")
    mixed = await _history(
        client, tokens, created_from="2026-12-01", created_to="2026-12-07T22:30:00Z"
    )

    assert sorted(p["id"] for p in week["items"]) == [ids[1], ids[2]]
    assert [p["id"] for p in one_day["items"]] == [ids[2]]
    assert [p["id"] for p in mixed["items"]] == [ids[1]]  # a timestamp `to` stays exclusive


async def test_impossible_dates_are_422_not_a_silent_empty_list(client):
    tokens = await ready_buyer(client)
    for params in ({"created_from": "2026-02-30"}, {"created_to": "2026-13-01"}):
        response = await client.get("/api/v1/transactions", params=params, headers=bearer(tokens))
        assert response.status == 422, params


async def test_filters_at_the_ends_of_the_calendar_mean_no_bound_not_500(client):
    tokens = await ready_buyer(client)
    await _buy(client, tokens, airtime(100))

    page = await _history(
        client,
        tokens,
        created_from="0001-01-01T00:00:00+01:00",
        created_to="9999-12-31",
    )

    assert page["total"] == 1
