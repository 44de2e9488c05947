"""Steps most API tests share: sign up through the SMS code, fund, set a PIN, call with a token."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.keys import db_key
from gateway.phones import normalize_phone
from gateway.purchases.keys import purchase_service_key
from gateway.store.tables import Outbox, User

PHONE = "08031234567"
OTHER_PHONE = "08129876543"
PASSWORD = "correct horse 42"
PIN = "2580"
N = 100  # kobo per naira


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def sms_code(db: async_sessionmaker[AsyncSession], phone: str) -> str:
    async with db() as session:
        body = await session.scalar(
            select(Outbox.body)
            .where(Outbox.phone == normalize_phone(phone))
            .order_by(Outbox.id.desc())
            .limit(1)
        )
    assert body is not None, "no SMS was queued"
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


async def register(client, phone: str = PHONE, **fields: Any):
    body = {"phone": phone, "password": PASSWORD, "name": "Ada Obi", **fields}
    return await client.post("/api/v1/auth/register", json=body)


async def verify(client, phone: str, code: str, registration_id: str):
    body = {"phone": phone, "code": code, "registration_id": registration_id}
    return await client.post("/api/v1/auth/verify-phone", json=body)


async def signup(client, phone: str = PHONE, **fields: Any) -> dict[str, Any]:
    """Register, read the code from the outbox, verify: the tokens of a logged-in user."""
    response = await register(client, phone, **fields)
    assert response.status == 201, await response.text()
    registration_id = (await response.json())["registration_id"]
    code = await sms_code(client.app[db_key], phone)
    response = await verify(client, phone, code, registration_id)
    assert response.status == 200, await response.text()
    return await response.json()


async def login(client, phone: str = PHONE, password: str = PASSWORD):
    return await client.post("/api/v1/auth/login", json={"phone": phone, "password": password})


async def user_id(client, phone: str = PHONE) -> int:
    async with client.app[db_key]() as session:
        found = await session.scalar(select(User.id).where(User.phone == normalize_phone(phone)))
    assert found is not None
    return int(found)


async def set_role(client, phone: str, role: str) -> None:
    async with client.app[db_key].begin() as session:
        await session.execute(
            update(User).where(User.phone == normalize_phone(phone)).values(role=role)
        )


async def fund(client, phone: str, naira: int) -> None:
    service = client.app[purchase_service_key]
    await service.credit_wallet(phone, naira * N, f"seed-{uuid.uuid4().hex}")


async def set_pin(client, tokens: dict[str, Any], pin: str = PIN) -> None:
    response = await client.put("/api/v1/me/pin", json={"pin": pin}, headers=bearer(tokens))
    assert response.status == 204, await response.text()


async def ready_buyer(client, phone: str = PHONE, naira: int = 10_000) -> dict[str, Any]:
    """A signed-up user with a PIN and a funded wallet."""
    tokens = await signup(client, phone)
    await set_pin(client, tokens)
    await fund(client, phone, naira)
    return tokens


def airtime(naira: int = 500, **extra: Any) -> dict[str, Any]:
    return {"service_id": "mtn", "amount": naira * N, "phone": PHONE, "pin": PIN, **extra}
