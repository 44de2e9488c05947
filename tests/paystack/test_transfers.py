"""A personal account number: made on first ask, and transfers into it credit once."""

from __future__ import annotations

from gateway.paystack.keys import paystack_client_key
from gateway.paystack.reconcile import compare_with_paystack
from tests.paystack.conftest import N


async def account(funding, auth):
    response = await funding.client.get("/api/v1/wallet/account", headers=auth)
    return response.status, await response.json()


async def test_the_first_ask_makes_an_account_in_the_users_name(funding):
    auth = await funding.user()

    status, shown = await account(funding, auth)

    assert status == 200
    assert shown["status"] == "active"
    assert shown["bank"] == "Test Bank"
    assert len(shown["account_number"]) == 10
    assert shown["account_name"] == "PAYLINK/ADA OBI"
    assert (await account(funding, auth))[1]["account_number"] == shown["account_number"]


async def test_a_transfer_into_the_account_credits_the_wallet_once(funding):
    auth = await funding.user()
    _, shown = await account(funding, auth)

    await funding.sim_post(
        "transfers", {"account_number": shown["account_number"], "amount": 7_500 * N}
    )
    await funding.settle()
    delivery = funding.sim.state.webhooks.deliveries[-1]
    await funding.sim_post(f"webhooks/{delivery.id}/redeliver", {"times": 5, "concurrent": True})
    await funding.settle()
    await funding.sweep()

    assert await funding.balance(auth) == 7_500 * N
    assert await funding.credits() == 1
    await funding.reconciled()
    assert (
        await compare_with_paystack(
            funding.db, funding.client.app[paystack_client_key], funding.clock.now()
        )
        == []
    )


async def test_a_transfer_whose_webhook_never_came_is_found_by_the_sweep(funding):
    auth = await funding.user()
    _, shown = await account(funding, auth)

    await funding.sim_post(
        "transfers",
        {"account_number": shown["account_number"], "amount": 3_000 * N, "deliver": "never"},
    )
    result = await funding.sweep()

    assert result.transfers_credited == 1
    assert await funding.balance(auth) == 3_000 * N
    await funding.reconciled()


async def test_a_slow_paystack_leaves_the_account_pending_and_the_sweep_finishes_it(funding):
    auth = await funding.user()
    await funding.sim_post("faults", {"path": "/customer", "status": 503, "count": 1})

    status, shown = await account(funding, auth)
    assert (status, shown["status"]) == (202, "pending")

    funding.clock.advance(31)
    assert (await funding.sweep()).accounts_tried == 1
    assert (await account(funding, auth))[1]["status"] == "active"


async def test_reconcile_with_paystack_finds_a_payment_never_credited(funding):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    await funding.sim_post("webhooks", {"mode": "drop"})
    await funding.pay(started["reference"])

    found = await compare_with_paystack(
        funding.db, funding.client.app[paystack_client_key], funding.clock.now()
    )

    assert [f.check for f in found] == ["paystack_not_credited"]
