"""Buying through the API: PIN, idempotency, refusals, polling, and privacy between users.

On Postgres + Redis no worker runs in-process (production runs `paylink worker`), so a fresh
purchase stays `initiated`; the embedded smoke test follows one to `delivered`.
"""

from __future__ import annotations

import re
import uuid

from gateway.security import pins
from gateway.security.keys import pin_service_key
from tests.api.helpers import (
    OTHER_PHONE,
    PHONE,
    N,
    airtime,
    bearer,
    fund,
    idem,
    ready_buyer,
    signup,
    user_id,
)


async def _buy(client, tokens, body, key: str | None = None):
    headers = {**bearer(tokens), "Idempotency-Key": key or uuid.uuid4().hex}
    return await client.post("/api/v1/purchases", json=body, headers=headers)


async def _wallet(client, tokens) -> int:
    body = await (await client.get("/api/v1/wallet", headers=bearer(tokens))).json()
    return body["balance"]["kobo"]


async def test_a_purchase_is_accepted_debited_and_pollable(client):
    tokens = await ready_buyer(client, naira=2_000)

    response = await _buy(client, tokens, airtime(500))

    assert response.status == 202
    purchase = await response.json()
    assert purchase["status"] == "initiated"
    assert purchase["category"] == "airtime"
    assert purchase["total"] == {"kobo": 500 * N, "formatted": "₦500.00"}
    assert purchase["channel"] == "api"
    assert "pin" not in purchase
    assert response.headers["Location"] == f"/api/v1/purchases/{purchase['id']}"
    assert await _wallet(client, tokens) == 1_500 * N
    polled = await client.get(response.headers["Location"], headers=bearer(tokens))
    assert polled.status == 200
    assert (await polled.json())["id"] == purchase["id"]


async def test_replaying_the_same_key_and_body_returns_the_same_purchase(client):
    tokens = await ready_buyer(client, naira=2_000)
    key = uuid.uuid4().hex

    first = await _buy(client, tokens, airtime(500), key)
    again = await _buy(client, tokens, airtime(500), key)

    assert first.status == again.status == 202
    assert (await first.json())["id"] == (await again.json())["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await _wallet(client, tokens) == 1_500 * N


async def test_the_same_key_with_another_body_is_409(client):
    tokens = await ready_buyer(client, naira=2_000)
    key = uuid.uuid4().hex
    await _buy(client, tokens, airtime(500), key)

    response = await _buy(client, tokens, airtime(600), key)

    assert response.status == 409
    assert (await response.json())["error"]["code"] == "idempotency_key_reused"


async def test_keys_belong_to_their_user(client):
    alice = await ready_buyer(client, naira=2_000)
    bob = await ready_buyer(client, OTHER_PHONE, naira=2_000)
    key = uuid.uuid4().hex

    a = await _buy(client, alice, airtime(500), key)
    b = await _buy(client, bob, airtime(500, phone=OTHER_PHONE), key)

    assert a.status == b.status == 202
    assert (await a.json())["id"] != (await b.json())["id"]


async def test_the_idempotency_key_header_is_required(client):
    tokens = await ready_buyer(client)

    missing = await client.post("/api/v1/purchases", json=airtime(), headers=bearer(tokens))
    short = await _buy(client, tokens, airtime(), key="abc")

    assert missing.status == short.status == 422
    fields = (await missing.json())["error"]["details"]["fields"]
    assert fields[0]["field"] == "header.Idempotency-Key"


async def test_insufficient_funds_is_a_clear_422(client):
    tokens = await ready_buyer(client, naira=100)

    response = await _buy(client, tokens, airtime(500))

    assert response.status == 422
    assert (await response.json())["error"]["code"] == "insufficient_funds"


async def test_the_daily_limit_is_a_clear_422(client):
    tokens = await ready_buyer(client, naira=300_000)
    body = {
        "service_id": "ikeja-electric",
        "variation_code": "prepaid",
        "customer_ref": "1111111111111",
        "amount": 250_000 * N,
        "pin": "2580",
    }

    response = await _buy(client, tokens, body)

    assert response.status == 422
    assert (await response.json())["error"]["code"] == "daily_limit_exceeded"


async def test_a_wrong_pin_is_403_then_423_once_locked(client):
    tokens = await ready_buyer(client)
    wrong = airtime(500, pin="9999")

    first = await _buy(client, tokens, wrong)
    await _buy(client, tokens, wrong)
    third = await _buy(client, tokens, wrong)
    right = await _buy(client, tokens, airtime(500))

    assert first.status == 403
    assert (await first.json())["error"] == {
        "code": "pin_incorrect",
        "message": "the PIN is not right",
        "details": {"attempts_left": 2},
    }
    assert third.status == right.status == 423
    body = await right.json()
    assert body["error"]["code"] == "pin_locked"
    assert "locked_until" in body["error"]["details"]
    assert await _wallet(client, tokens) == 10_000 * N


async def test_a_lock_from_ussd_blocks_web_purchases(client, clock):
    tokens = await ready_buyer(client)
    for _ in range(pins.MAX_ATTEMPTS):
        await client.app[pin_service_key].check(await user_id(client), "9999")

    assert (await _buy(client, tokens, airtime(500))).status == 423


async def test_no_pin_yet_is_403_pin_not_set(client):
    tokens = await signup(client)
    await fund(client, PHONE, 1_000)

    response = await _buy(client, tokens, airtime(500))

    assert response.status == 403
    assert (await response.json())["error"]["code"] == "pin_not_set"


async def test_a_plan_is_priced_from_the_catalogue(client):
    tokens = await ready_buyer(client)
    plans = await (
        await client.get("/api/v1/catalogue/services/mtn-data/variations", headers=bearer(tokens))
    ).json()
    plan = next(p for p in plans["items"] if p["fixed_price"])

    bought = await _buy(
        client, tokens, {"service_id": "mtn-data", "variation_code": plan["code"], "pin": "2580"}
    )
    wrong_amount = await _buy(
        client,
        tokens,
        {
            "service_id": "mtn-data",
            "variation_code": plan["code"],
            "amount": plan["amount"]["kobo"] - 1,
            "pin": "2580",
        },
    )

    assert bought.status == 202, await bought.text()
    assert (await bought.json())["amount"] == plan["amount"]
    assert wrong_amount.status == 422


async def test_unknown_services_and_missing_amounts_are_422(client):
    tokens = await ready_buyer(client)
    for body in (
        {"service_id": "no-such-thing", "amount": 100 * N, "pin": "2580"},
        {"service_id": "mtn", "pin": "2580"},
        {"service_id": "mtn-data", "pin": "2580"},
        {
            "service_id": "ikeja-electric",
            "variation_code": "prepaid",
            "amount": 1000 * N,
            "pin": "2580",
        },
        {"service_id": "mtn", "amount": 10 * N, "pin": "2580"},  # below the airtime minimum
    ):
        response = await _buy(client, tokens, body)
        assert response.status == 422, body


async def test_another_users_purchase_is_404(client):
    alice = await ready_buyer(client)
    bob = await signup(client, OTHER_PHONE)
    purchase = await (await _buy(client, alice, airtime(500))).json()

    for path in (f"/api/v1/purchases/{purchase['id']}", f"/api/v1/transactions/{purchase['id']}"):
        response = await client.get(path, headers=bearer(bob))
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "not_found"
    missing = await client.get("/api/v1/purchases/999999999", headers=bearer(alice))
    assert missing.status == 404


async def test_purchases_need_a_token(client):
    response = await client.post("/api/v1/purchases", json=airtime(), headers=idem())
    assert response.status == 401


async def test_a_pin_is_not_needed_again_for_a_replay(client):
    tokens = await ready_buyer(client)
    key = uuid.uuid4().hex
    await _buy(client, tokens, airtime(500), key)

    # even with a wrong PIN the replay answers with the purchase already made
    again = await _buy(client, tokens, airtime(500, pin="9999"), key)

    assert again.status == 202


async def test_a_new_key_with_a_wrong_pin_creates_nothing_even_after_a_replay(client):
    """The replay answer is for a purchase already made: it never opens a PIN-less way in."""
    tokens = await ready_buyer(client, naira=2_000)
    key = uuid.uuid4().hex
    await _buy(client, tokens, airtime(500), key)
    await _buy(client, tokens, airtime(500, pin="9999"), key)  # replayed, wrong PIN

    fresh = await _buy(client, tokens, airtime(500, pin="9999"))

    assert fresh.status == 403
    assert (await fresh.json())["error"]["code"] == "pin_incorrect"
    assert await _wallet(client, tokens) == 1_500 * N


async def test_a_purchase_is_found_by_its_reference_and_only_by_its_owner(client):
    alice = await ready_buyer(client)
    bob = await ready_buyer(client, OTHER_PHONE)
    bought = await (await _buy(client, alice, airtime(500))).json()
    await _buy(client, alice, airtime(600))
    reference = bought["reference"]
    assert re.fullmatch(r"PL-[2-9A-HJKMNP-TV-Z]{8}", reference)

    mine = await client.get(
        "/api/v1/transactions", params={"reference": reference.lower()}, headers=bearer(alice)
    )
    theirs = await client.get(
        "/api/v1/transactions", params={"reference": reference}, headers=bearer(bob)
    )

    assert [item["id"] for item in (await mine.json())["items"]] == [bought["id"]]
    assert (await theirs.json())["items"] == []  # another user's reference finds nothing
    polled = await client.get(f"/api/v1/purchases/{bought['id']}", headers=bearer(alice))
    assert (await polled.json())["reference"] == reference  # never changes
