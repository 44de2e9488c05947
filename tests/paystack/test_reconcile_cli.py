"""`paylink reconcile` asks Paystack too: every successful payment credited once, nothing more.

The command runs as an operator would run it, against the same database and the simulator
over real HTTP, on the harness's clock; with no Paystack configured (the embedded default,
whose simulator lives inside `paylink serve`) it says it did not ask.
"""

from __future__ import annotations

import json

from gateway.keys import settings_key
from tests.api.conftest import JWT_SECRET
from tests.cli.conftest import paylink
from tests.paystack.conftest import KEY


def cli_env(funding, *, paystack: bool = True) -> dict[str, str]:
    env = {
        "PAYLINK_DATABASE_URL": funding.client.app[settings_key].database_url.value,
        "PAYLINK_JWT_SECRET": JWT_SECRET,
        "PAYLINK_LOG_LEVEL": "ERROR",
        "PAYLINK_AT_CALLBACK_OPEN": "true",
    }
    if paystack:
        env |= {"PAYSTACK_SECRET_KEY": KEY, "PAYSTACK_BASE_URL": funding.sim.base_url}
    return env


async def reconcile(funding, capsys, **options: bool) -> tuple[int, dict]:
    capsys.readouterr()
    code = await paylink(cli_env(funding, **options), "reconcile", "--json", clock=funding.clock)
    return code, json.loads(capsys.readouterr().out)


async def test_a_credited_checkout_agrees_with_paystack(funding, capsys):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    await funding.pay(started["reference"])
    await funding.settle()

    code, report = await reconcile(funding, capsys)

    assert code == 0
    assert report["paystack_asked"] is True
    assert report["paystack"] == {"error": None, "findings": []}


async def test_a_payment_never_credited_fails_reconcile(funding, capsys):
    auth = await funding.user()
    started = await funding.start(auth, 5_000)
    await funding.sim_post("webhooks", {"mode": "drop"})
    await funding.pay(started["reference"])

    code, report = await reconcile(funding, capsys)

    assert code == 1
    assert report["ok"] is False
    (finding,) = report["paystack"]["findings"]
    assert finding["check"] == "paystack_not_credited"
    assert started["reference"] in finding["subject"]


async def test_paystack_not_answering_is_a_warning_not_a_discrepancy(funding, capsys):
    env = cli_env(funding) | {"PAYSTACK_BASE_URL": "http://127.0.0.1:9"}  # nothing listens
    capsys.readouterr()

    code = await paylink(env, "reconcile", "--json", clock=funding.clock)

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["paystack"]["findings"] == []
    assert "could not connect" in report["paystack"]["error"]


async def test_the_embedded_default_says_paystack_was_not_asked(funding, capsys):
    code, report = await reconcile(funding, capsys, paystack=False)

    assert code == 0
    assert (report["paystack_asked"], report["paystack"]) == (False, None)
