"""Steps the price and quote tests share: buy with the PIN, read the wallet, count purchases,
check a 422 refusal's code."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from gateway.keys import db_key
from gateway.store.tables import Purchase
from tests.api.helpers import PIN, bearer


async def buy(client, tokens: dict[str, Any], body: dict[str, Any]):
    """`POST /api/v1/purchases` with the test PIN and a fresh idempotency key."""
    headers = {**bearer(tokens), "Idempotency-Key": uuid.uuid4().hex}
    return await client.post("/api/v1/purchases", json={"pin": PIN, **body}, headers=headers)


async def wallet_kobo(client, tokens: dict[str, Any]) -> int:
    body = await (await client.get("/api/v1/wallet", headers=bearer(tokens))).json()
    return int(body["balance"]["kobo"])


async def purchase_count(client) -> int:
    """Every purchase row, whoever made it: a refusal must leave the count as it was."""
    async with client.app[db_key]() as session:
        return int(await session.scalar(select(func.count(Purchase.id))) or 0)


async def refused(response, code: str) -> dict[str, Any]:
    """The error of a 422 answer, after checking its `code`."""
    assert response.status == 422, await response.text()
    error: dict[str, Any] = (await response.json())["error"]
    assert error["code"] == code, error
    return error
