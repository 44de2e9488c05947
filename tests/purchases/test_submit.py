"""submit: one transaction that debits the wallet into clearing, once per idempotency key."""

from __future__ import annotations

import asyncio

import pytest

from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import Conflict, Forbidden, InvalidInput, NotFound
from gateway.purchases.models import DailyLimitExceeded, InsufficientFunds, PurchasePolicy
from gateway.purchases.service import PurchaseService
from gateway.store import ledger
from gateway.vtpass.request_ids import request_id_date_is_today
from tests.purchases.conftest import PHONE, N, airtime, assert_reconciled, funded_user


async def test_submit_moves_the_total_from_the_wallet_into_clearing(service, sessionmaker):
    user_id = await funded_user(service, 5_000)

    submission = await service.submit(user_id, airtime(1_500), idempotency_key="k1")

    purchase = submission.purchase
    assert submission.created
    assert purchase.status is PurchaseStatus.INITIATED
    assert (purchase.face_amount, purchase.fee, purchase.total) == (1_500 * N, 0, 1_500 * N)
    assert await service.wallet_balance(PHONE) == 3_500 * N
    async with sessionmaker() as session:
        clearing = (await ledger.load_system_accounts(session)).clearing
        assert await ledger.balance(session, clearing.id) == 1_500 * N
    await assert_reconciled(sessionmaker)


async def test_submit_fixes_a_vtpass_request_id_dated_today_in_lagos(service, clock):
    user_id = await funded_user(service, 5_000)

    purchase = (await service.submit(user_id, airtime(), idempotency_key="k1")).purchase

    assert purchase.request_id[:12] == "202506021000"
    assert len(purchase.request_id) <= 36
    assert request_id_date_is_today(purchase.request_id, clock)


async def test_twenty_concurrent_purchases_on_a_wallet_that_affords_ten_accept_exactly_ten(
    service, sessionmaker
):
    user_id = await funded_user(service, 10_000)

    results = await asyncio.gather(
        *(service.submit(user_id, airtime(1_000), idempotency_key=f"race-{i}") for i in range(20)),
        return_exceptions=True,
    )

    accepted = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(accepted) == 10
    assert all(isinstance(r, InsufficientFunds) for r in refused), refused
    assert await service.wallet_balance(PHONE) == 0
    # replay the wallet's ledger in order: the running balance never dipped below zero
    lines = sorted(await service.statement(PHONE, limit=100), key=lambda line: line.journal_id)
    running = 0
    for line in lines:
        running += line.amount if line.side is ledger.Side.CREDIT else -line.amount
        assert running >= 0
    await assert_reconciled(sessionmaker)


async def test_two_concurrent_submits_with_one_idempotency_key_make_one_purchase(
    service, sessionmaker
):
    user_id = await funded_user(service, 5_000)

    first, second = await asyncio.gather(
        service.submit(user_id, airtime(1_000), idempotency_key="same"),
        service.submit(user_id, airtime(1_000), idempotency_key="same"),
    )

    assert first.purchase.id == second.purchase.id
    assert sorted([first.created, second.created]) == [False, True]
    assert await service.wallet_balance(PHONE) == 4_000 * N
    await assert_reconciled(sessionmaker)


async def test_a_replayed_submit_returns_the_first_purchase_without_a_second_debit(service):
    user_id = await funded_user(service, 5_000)
    first = await service.submit(user_id, airtime(1_000), idempotency_key="k1")

    again = await service.submit(user_id, airtime(1_000), idempotency_key="k1")

    assert again.purchase.id == first.purchase.id
    assert again.purchase.request_id == first.purchase.request_id
    assert not again.created
    assert await service.wallet_balance(PHONE) == 4_000 * N


async def test_the_same_key_with_a_different_purchase_is_a_conflict(service):
    user_id = await funded_user(service, 5_000)
    await service.submit(user_id, airtime(1_000), idempotency_key="k1")

    with pytest.raises(Conflict):
        await service.submit(user_id, airtime(2_000), idempotency_key="k1")

    assert await service.wallet_balance(PHONE) == 4_000 * N


async def test_one_key_may_be_reused_by_another_user(service):
    alice = await funded_user(service, 5_000)
    bob = await funded_user(service, 5_000, phone="08051234567")

    first = await service.submit(alice, airtime(1_000), idempotency_key="k1")
    second = await service.submit(bob, airtime(1_000), idempotency_key="k1")

    assert first.purchase.id != second.purchase.id


async def test_insufficient_funds_changes_nothing(service, sessionmaker):
    user_id = await funded_user(service, 500)

    with pytest.raises(InsufficientFunds):
        await service.submit(user_id, airtime(1_000), idempotency_key="k1")

    assert await service.wallet_balance(PHONE) == 500 * N
    await assert_reconciled(sessionmaker)


async def test_the_daily_limit_refuses_a_purchase_that_would_exceed_it(sessionmaker, clock):
    service = PurchaseService(sessionmaker, clock, policy=PurchasePolicy(daily_limit=2_500 * N))
    user_id = await funded_user(service, 10_000)
    await service.submit(user_id, airtime(2_000), idempotency_key="k1")

    with pytest.raises(DailyLimitExceeded):
        await service.submit(user_id, airtime(1_000), idempotency_key="k2")

    clock.advance(24 * 3600)  # a new Lagos day
    await service.submit(user_id, airtime(1_000), idempotency_key="k3")


async def test_a_suspended_account_cannot_purchase(service, sessionmaker):
    from sqlalchemy import text

    user_id = await funded_user(service, 5_000)
    async with sessionmaker.begin() as session:
        await session.execute(text("UPDATE users SET status = 'suspended'"))

    with pytest.raises(Forbidden):
        await service.submit(user_id, airtime(1_000), idempotency_key="k1")


async def test_submit_for_an_unknown_user_is_not_found(service):
    with pytest.raises(NotFound):
        await service.submit(999_999, airtime(1_000), idempotency_key="k1")


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("channel", "fax"), ("amount", 0), ("amount", 10 * N)],
)
async def test_submit_refuses_invalid_orders(service, field, value):
    import dataclasses

    user_id = await funded_user(service, 5_000)
    order = dataclasses.replace(airtime(), **{field: value})

    with pytest.raises(InvalidInput):
        await service.submit(user_id, order, idempotency_key="k1")


async def test_a_sandbox_scenario_number_is_refused_before_any_debit_when_live(service):
    # the service of a live gateway (sandbox_numbers off, the default) takes real numbers only
    user_id = await funded_user(service, 5_000)

    with pytest.raises(InvalidInput, match="not a Nigerian mobile number"):
        await service.submit(user_id, airtime(phone="201000000000"), idempotency_key="k1")

    assert await service.wallet_balance(PHONE) == 5_000 * N


async def test_a_sandbox_scenario_number_is_a_recipient_against_a_sandbox(sessionmaker, clock):
    service = PurchaseService(sessionmaker, clock, worker_id="test-worker", sandbox_numbers=True)
    user_id = await funded_user(service, 5_000)

    submission = await service.submit(user_id, airtime(phone="201000000000"), idempotency_key="k1")

    assert submission.purchase.phone == "201000000000"
    assert await service.wallet_balance(PHONE) == 4_000 * N
