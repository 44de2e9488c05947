"""The `/phone` page's SMS tab: a phone's messages from the outbox, on the embedded default only."""

from __future__ import annotations

from gateway.purchases.keys import purchase_service_key


async def credit(client, phone: str, naira: int, reference: str) -> None:
    await client.app[purchase_service_key].credit_wallet(phone, naira * 100, reference)


async def test_the_phones_sms_come_newest_first(embedded):
    await credit(embedded, "08011111111", 500, "demo-1")
    await credit(embedded, "08011111111", 700, "demo-2")

    response = await embedded.get("/demo/outbox", params={"phone": "08011111111"})

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    bodies = [m["body"] for m in (await response.json())["items"]]
    assert len(bodies) == 2
    assert "N700" in bodies[0]
    assert "N500" in bodies[1]


async def test_another_phones_messages_are_not_shown(embedded):
    await credit(embedded, "08031234567", 500, "demo-3")

    response = await embedded.get("/demo/outbox", params={"phone": "08011111111"})

    assert (await response.json())["items"] == []


async def test_a_number_that_is_not_a_phone_is_refused(embedded):
    response = await embedded.get("/demo/outbox", params={"phone": "12"})

    assert response.status == 422


async def test_outside_the_embedded_default_there_is_no_such_route(production):
    response = await production.get("/demo/outbox", params={"phone": "08011111111"})

    assert response.status == 404
    assert response.content_type != "text/html"
