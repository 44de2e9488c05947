"""`paylink paystack-simulator` (an offline Paystack) and `paylink fundings` (for operators).

`fundings` lists wallet fundings newest first; `--review` shows only those held for a person
to look at (an amount that differed from what was initialized, a refund after the money was
spent, a payment Paystack reversed), which `paylink reconcile` also lists.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
from typing import Any

from gateway.cli.common import database, json_flag, out, out_json, positive_int_arg, run
from gateway.clock import Clock
from gateway.money import format_gsm
from gateway.paystack import store
from gateway.settings import Settings

log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    simulator = commands.add_parser(
        "paystack-simulator", help="run the Paystack simulator alone (checkout, transfers)"
    )
    simulator.add_argument("--host", default="127.0.0.1")
    simulator.add_argument("--port", type=int, default=8091)
    simulator.add_argument(
        "--webhook-url",
        help="where to send signed events (e.g. http://127.0.0.1:8080/webhooks/paystack)",
    )
    simulator.set_defaults(handler=run_paystack_simulator)

    fundings = commands.add_parser(
        "fundings", help="wallet fundings through Paystack, newest first"
    )
    fundings.add_argument("--review", action="store_true", help="only those held for review")
    fundings.add_argument("--limit", type=positive_int_arg, default=50)
    json_flag(fundings)
    fundings.set_defaults(handler=run_fundings)


def with_local_paystack(settings: Settings, host: str, port: int) -> Settings:
    """On the embedded default, the in-process simulator sends its events to this server, and
    its checkout page sends the payer back to the web app's return page here (as the Paystack
    dashboard's callback URL would); a variable set by hand wins over either."""
    funding = settings.funding
    if not funding.uses_builtin_simulator:
        return settings
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - compared
    shown = f"[{shown}]" if ":" in shown else shown
    here = f"http://{shown}:{port}"
    return dataclasses.replace(
        settings,
        funding=dataclasses.replace(
            funding,
            simulator_webhook_url=funding.simulator_webhook_url or f"{here}/webhooks/paystack",
            callback_url=funding.callback_url or f"{here}/fund/return",
        ),
    )


def run_paystack_simulator(_settings: Settings, args: argparse.Namespace, _clock: Clock) -> int:
    from gateway.paystack.simulator import PaystackSimConfig, run_paystack_simulator

    config = PaystackSimConfig.from_env(os.environ, webhook_url=args.webhook_url)
    log.info("Paystack simulator on http://%s:%s", args.host, args.port)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_paystack_simulator(config, host=args.host, port=args.port))
    return 0


def run_fundings(settings: Settings, args: argparse.Namespace, _clock: Clock) -> int:
    return run(_fundings(settings, args))


async def _fundings(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db, db() as session:
        found = await store.recent(
            session, status="review" if args.review else None, limit=args.limit
        )
    if args.json:
        out_json(
            {
                "fundings": [
                    {
                        "reference": f.reference,
                        "user_id": f.user_id,
                        "kind": f.kind,
                        "status": f.status,
                        "amount_kobo": f.amount,
                        "credit_kobo": f.credit_amount,
                        "paid_kobo": f.paid_amount,
                        "review_reason": f.review_reason,
                        "created_at": f.created_at.isoformat(),
                    }
                    for f in found
                ]
            }
        )
        return 0
    for f in found:
        reason = f" ({f.review_reason})" if f.review_reason else ""
        out(
            f"{f.created_at:%Y-%m-%d %H:%M} {f.reference} user {f.user_id} {f.kind} "
            f"{format_gsm(f.amount)} -> {format_gsm(f.credit_amount)} {f.status}{reason}"
        )
    out(f"{len(found)} fundings")
    return 0
