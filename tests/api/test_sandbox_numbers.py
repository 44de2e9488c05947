"""REST buys for the simulator's scenario numbers: the pending test number is a valid
recipient while the gateway talks to the simulator (it is refused live: tests/purchases)."""

from __future__ import annotations

from tests.api.helpers import PIN, N, bearer, idem, ready_buyer


async def test_airtime_for_the_pending_test_number_is_accepted_against_the_simulator(client):
    buyer = await ready_buyer(client)
    body = {"service_id": "mtn", "amount": 100 * N, "phone": "201000000000", "pin": PIN}

    response = await client.post(
        "/api/v1/purchases", json=body, headers={**bearer(buyer), **idem()}
    )

    assert response.status == 202, await response.text()
    assert (await response.json())["phone"] == "201000000000"


async def test_a_near_miss_of_a_test_number_is_refused_as_a_phone(client):
    buyer = await ready_buyer(client)
    body = {"service_id": "mtn", "amount": 100 * N, "phone": "201000000001", "pin": PIN}

    response = await client.post(
        "/api/v1/purchases", json=body, headers={**bearer(buyer), **idem()}
    )

    assert response.status == 422, await response.text()
