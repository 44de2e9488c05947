"""Back office: only operators and admins; credit, look up, requery, reconcile."""

from __future__ import annotations

import uuid

from tests.api.helpers import (
    OTHER_PHONE,
    PHONE,
    N,
    airtime,
    bearer,
    idem,
    login,
    ready_buyer,
    set_role,
    signup,
)


async def _operator(client, phone: str = OTHER_PHONE, role: str = "operator") -> dict:
    await signup(client, phone)
    await set_role(client, phone, role)
    return await (await login(client, phone)).json()  # the role is in tokens minted from now


async def test_users_get_403_and_anonymous_401(client):
    user = await signup(client)
    paths = [
        ("GET", "/api/v1/operator/reconciliation"),
        ("GET", "/api/v1/operator/purchases/1"),
        ("POST", "/api/v1/operator/purchases/1/requery"),
    ]
    for method, path in paths:
        assert (await client.request(method, path, headers=bearer(user))).status == 403
        assert (await client.request(method, path)).status == 401
    credit = {"phone": PHONE, "amount": 100, "reference": "x1"}
    assert (
        await client.post("/api/v1/operator/wallet-credits", json=credit, headers=bearer(user))
    ).status == 403


async def test_credit_is_idempotent_by_reference(client):
    operator = await _operator(client)
    reference = f"bank-{uuid.uuid4().hex[:8]}"
    body = {"phone": PHONE, "amount": 5_000 * N, "reference": reference, "name": "Ada"}

    first = await client.post(
        "/api/v1/operator/wallet-credits", json=body, headers=bearer(operator)
    )
    again = await client.post(
        "/api/v1/operator/wallet-credits", json=body, headers=bearer(operator)
    )
    other = await client.post(
        "/api/v1/operator/wallet-credits",
        json={**body, "amount": 1 * N},
        headers=bearer(operator),
    )

    assert first.status == 201
    assert (await first.json())["balance"]["kobo"] == 5_000 * N
    assert again.status == 200
    assert (await again.json())["created"] is False
    assert other.status == 409


async def test_look_up_and_requery_any_purchase(client):
    buyer = await ready_buyer(client)
    bought = await (
        await client.post(
            "/api/v1/purchases", json=airtime(100), headers={**bearer(buyer), **idem()}
        )
    ).json()
    admin = await _operator(client, role="admin")

    seen = await client.get(f"/api/v1/operator/purchases/{bought['id']}", headers=bearer(admin))
    requeried = await client.post(
        f"/api/v1/operator/purchases/{bought['id']}/requery", headers=bearer(admin)
    )
    missing = await client.get("/api/v1/operator/purchases/987654321", headers=bearer(admin))

    assert seen.status == 200
    detail = await seen.json()
    assert detail["user_id"] != 0
    assert detail["buyer_phone"] == "+2348031234567"
    assert requeried.status == 200
    assert (await requeried.json())["id"] == bought["id"]
    assert missing.status == 404


async def test_reconciliation_reports_a_clean_ledger(client):
    buyer = await ready_buyer(client)
    await client.post("/api/v1/purchases", json=airtime(100), headers={**bearer(buyer), **idem()})
    operator = await _operator(client)

    response = await client.get("/api/v1/operator/reconciliation", headers=bearer(operator))

    assert response.status == 200
    report = await response.json()
    assert report["ok"] is True
    assert report["purchases_checked"] == 1
    assert report["discrepancies"] == []


async def test_a_demoted_operator_loses_access_at_once(client):
    operator = await _operator(client)
    assert (
        await client.get("/api/v1/operator/reconciliation", headers=bearer(operator))
    ).status == 200

    await set_role(client, OTHER_PHONE, "user")

    response = await client.get("/api/v1/operator/reconciliation", headers=bearer(operator))
    assert response.status == 403
