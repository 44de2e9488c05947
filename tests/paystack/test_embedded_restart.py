"""The embedded default's Paystack simulator keeps its memory in the process; a restarted
`paylink serve` must still take transfers to the account numbers customers were shown."""

from __future__ import annotations

import httpx

from gateway.app import create_app
from gateway.embedded_paystack import paystack_simulator_key
from gateway.paystack.keys import paystack_sweep_key
from gateway.settings import Settings
from gateway.store.migrate import upgrade
from tests.api.helpers import PHONE, bearer, login, signup


async def balance(client, tokens) -> int:
    wallet = await (await client.get("/api/v1/wallet", headers=bearer(tokens))).json()
    return int(wallet["balance"]["kobo"])


async def test_an_account_made_before_a_restart_still_credits_after_it(aiohttp_client, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/paylink.db"
    upgrade(url)
    settings = Settings.from_env({"PAYLINK_DATABASE_URL": url})

    before = await aiohttp_client(create_app(settings))
    tokens = await signup(before, PHONE)
    shown = await (await before.get("/api/v1/wallet/account", headers=bearer(tokens))).json()
    assert shown["status"] == "active"
    await before.close()

    after = await aiohttp_client(create_app(settings))
    tokens = await (await login(after, PHONE)).json()
    simulator = after.app[paystack_simulator_key]
    async with httpx.AsyncClient(base_url=simulator.base_url) as sim:
        sent = await sim.post(
            "/__sim/transfers", json={"account_number": shown["account_number"], "amount": 250_000}
        )
    assert sent.status_code == 200

    # no webhook URL outside `paylink serve`: the sweep finds the transfer, verifies, credits
    await after.app[paystack_sweep_key].run_once()
    assert await balance(after, tokens) == 250_000
    renewed = await (await after.get("/api/v1/wallet/account", headers=bearer(tokens))).json()
    assert renewed["account_number"] == shown["account_number"]
