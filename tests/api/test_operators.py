"""Back office: only operators and admins; credit, look up, requery, reconcile."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select

from gateway.app import create_app
from gateway.keys import db_key
from gateway.store.tables import Journal
from tests.api.conftest import pg_settings
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
    user_id,
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
    by_reference = await client.get(
        f"/api/v1/operator/purchases/{bought['reference']}", headers=bearer(admin)
    )
    assert (await by_reference.json())["id"] == bought["id"]
    assert detail["request_id"] != bought["reference"]  # the provider's id, shown apart
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


async def _journal_of(client, reference: str):
    async with client.app[db_key]() as session:
        return (
            await session.execute(
                select(Journal.actor, Journal.actor_ip).where(
                    Journal.reference == f"credit:{reference}"
                )
            )
        ).one_or_none()


async def test_a_credit_names_its_operator_and_address_on_the_journal_and_in_the_log(
    client, caplog
):
    operator = await _operator(client)
    operator_id = await user_id(client, OTHER_PHONE)
    body = {"phone": PHONE, "amount": 2_000 * N, "reference": "bank-77"}

    with caplog.at_level(logging.INFO, logger="gateway.purchases.operator_credit"):
        response = await client.post(
            "/api/v1/operator/wallet-credits", json=body, headers=bearer(operator)
        )

    assert response.status == 201
    journal = await _journal_of(client, "bank-77")
    assert journal.actor == f"user:{operator_id}"
    assert journal.actor_ip == "127.0.0.1"
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("operator_credit")]
    assert len(lines) == 1
    assert f"actor=user:{operator_id}" in lines[0]
    assert "ip=127.0.0.1" in lines[0]
    assert "amount_kobo=200000" in lines[0]
    assert "8031234567" not in lines[0]  # the phone is masked
    assert "+234803****567" in lines[0]


async def test_a_credit_above_the_ceiling_is_refused_and_moves_nothing(client, settings):
    operator = await _operator(client)
    ceiling = settings.operator_credit_max
    over = {"phone": PHONE, "amount": ceiling + 1, "reference": "typo-1"}

    refused = await client.post(
        "/api/v1/operator/wallet-credits", json=over, headers=bearer(operator)
    )

    assert refused.status == 422
    error = (await refused.json())["error"]
    assert error["code"] == "credit_over_limit"
    assert error["details"]["max_amount"]["kobo"] == ceiling
    assert "PAYLINK_OPERATOR_CREDIT_MAX" in error["message"]
    assert await _journal_of(client, "typo-1") is None
    at_ceiling = {"phone": PHONE, "amount": ceiling, "reference": "big-1"}
    assert (
        await client.post(
            "/api/v1/operator/wallet-credits", json=at_ceiling, headers=bearer(operator)
        )
    ).status == 201


async def test_the_credit_ceiling_is_a_setting(aiohttp_client, clean_pg, redis_prefix, clock):
    app = create_app(
        pg_settings(clean_pg, redis_prefix, PAYLINK_OPERATOR_CREDIT_MAX="1,000"), clock=clock
    )
    client = await aiohttp_client(app)
    operator = await _operator(client)

    over = await client.post(
        "/api/v1/operator/wallet-credits",
        json={"phone": PHONE, "amount": 1_000 * N + 1, "reference": "r-over"},
        headers=bearer(operator),
    )
    within = await client.post(
        "/api/v1/operator/wallet-credits",
        json={"phone": PHONE, "amount": 1_000 * N, "reference": "r-within"},
        headers=bearer(operator),
    )

    assert over.status == 422
    assert within.status == 201
