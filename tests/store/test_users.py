"""Users: one per phone, always with a wallet; emails unique ignoring case."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from gateway.errors import Conflict
from gateway.phones import normalize_phone
from gateway.store import users
from gateway.store.tables import User
from tests.purchases.conftest import START

PHONE = normalize_phone("08031234567")


async def test_get_or_create_makes_a_user_with_an_empty_wallet_once(db):
    first, created = await users.get_or_create(db, PHONE, now=START, name="Ada")
    again, created_again = await users.get_or_create(db, PHONE, now=START)

    assert (created, created_again) == (True, False)
    assert again == first
    assert first.phone == "+2348031234567"
    locked = await users.lock_wallet(db, first.id)
    assert locked is not None
    assert locked.balance == 0


async def test_concurrent_get_or_create_of_one_phone_makes_one_user(sessionmaker):
    async def create() -> tuple[users.UserRef, bool]:
        async with sessionmaker.begin() as session:
            return await users.get_or_create(session, PHONE, now=START)

    results = await asyncio.gather(*(create() for _ in range(5)))

    assert len({user.id for user, _ in results}) == 1
    assert len({user.account_id for user, _ in results}) == 1


async def test_emails_are_unique_ignoring_case(db):
    await users.create_user(db, phone=PHONE, now=START, email="Ada@Example.com")

    with pytest.raises(Conflict):
        await users.create_user(
            db, phone=normalize_phone("08051234567"), now=START, email="ada@example.COM"
        )
    found = await users.find_by_email(db, "ADA@example.com")
    assert found is not None
    assert found.phone == PHONE


async def test_users_without_email_do_not_collide(db):
    await users.create_user(db, phone=PHONE, now=START)
    await users.create_user(db, phone=normalize_phone("08051234567"), now=START)

    without_email = await db.scalar(
        select(func.count()).select_from(User).where(User.email.is_(None))
    )
    assert without_email == 2


async def test_a_phone_registers_once(db):
    await users.create_user(db, phone=PHONE, now=START)
    with pytest.raises(Conflict):
        await users.create_user(db, phone=PHONE, now=START)


async def test_timestamps_come_back_timezone_aware_in_utc(db):
    await users.create_user(db, phone=PHONE, now=START)
    created_at = await db.scalar(select(User.created_at))
    assert created_at == START
    assert created_at.utcoffset().total_seconds() == 0
