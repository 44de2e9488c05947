"""credit_wallet: operator money in (funding -> wallet), once per reference."""

from __future__ import annotations

import asyncio

import pytest

from gateway.errors import Conflict, InvalidInput
from tests.purchases.conftest import PHONE, N, assert_reconciled


async def test_a_credit_creates_an_unknown_user_with_a_funded_wallet(service, sessionmaker):
    credit = await service.credit_wallet("+2348031234567", 2_500 * N, "REF-1", name="Ada")

    assert credit.created
    assert credit.balance == 2_500 * N
    assert await service.wallet_balance(PHONE) == 2_500 * N
    await assert_reconciled(sessionmaker)


async def test_a_credit_is_idempotent_by_reference(service, sessionmaker):
    await service.credit_wallet(PHONE, 1_000 * N, "REF-1")

    again = await service.credit_wallet("2348031234567", 1_000 * N, "REF-1")

    assert not again.created
    assert again.balance == 1_000 * N
    await assert_reconciled(sessionmaker)


async def test_a_reference_reused_for_another_amount_is_a_conflict(service):
    await service.credit_wallet(PHONE, 1_000 * N, "REF-1")

    with pytest.raises(Conflict):
        await service.credit_wallet(PHONE, 2_000 * N, "REF-1")


async def test_concurrent_credits_with_one_reference_credit_once(service, sessionmaker):
    results = await asyncio.gather(
        *(service.credit_wallet(PHONE, 1_000 * N, "REF-RACE") for _ in range(5))
    )

    assert sum(r.created for r in results) == 1
    assert await service.wallet_balance(PHONE) == 1_000 * N
    await assert_reconciled(sessionmaker)


async def test_credits_with_different_references_add_up(service):
    await service.credit_wallet(PHONE, 1_000 * N, "A")
    await service.credit_wallet(PHONE, 500 * N, "B")

    assert await service.wallet_balance(PHONE) == 1_500 * N
    lines = await service.statement(PHONE)
    assert [line.reference for line in lines] == ["credit:B", "credit:A"]


@pytest.mark.parametrize(
    ("phone", "amount", "reference"),
    [("123", 100, "R"), (PHONE, 0, "R"), (PHONE, -5, "R"), (PHONE, 100, "")],
)
async def test_invalid_credits_are_refused(service, phone, amount, reference):
    with pytest.raises(InvalidInput):
        await service.credit_wallet(phone, amount, reference)
