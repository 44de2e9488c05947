"""`paylink wallet credit|balance|statement`: an operator's view of and hand on a wallet."""

from __future__ import annotations

import argparse
from typing import Any

from gateway.cli.common import (
    database,
    iso,
    json_flag,
    naira_arg,
    out,
    out_json,
    phone_arg,
    positive_int_arg,
    run,
)
from gateway.clock import Clock
from gateway.money import format_gsm
from gateway.purchases.operator_credit import Actor, operator_credit
from gateway.purchases.service import PurchaseService
from gateway.settings import Settings
from gateway.store.ledger import Side


def register(commands: Any) -> None:
    wallet = commands.add_parser("wallet", help="credit a wallet, show its balance or statement")
    actions = wallet.add_subparsers(dest="action", required=True, metavar="ACTION")

    credit = actions.add_parser("credit", help="credit a wallet (idempotent by --reference)")
    credit.add_argument("phone", type=phone_arg, metavar="PHONE")
    credit.add_argument("amount", type=naira_arg, metavar="NAIRA")
    credit.add_argument(
        "--reference", required=True, help="your unique reference (bank transfer id, ticket)"
    )
    credit.add_argument("--name", help="the customer's name, for a new wallet")
    credit.set_defaults(handler=run_credit)

    balance = actions.add_parser("balance", help="a wallet's balance")
    balance.add_argument("phone", type=phone_arg, metavar="PHONE")
    json_flag(balance)
    balance.set_defaults(handler=run_balance)

    statement = actions.add_parser("statement", help="a wallet's ledger lines, newest first")
    statement.add_argument("phone", type=phone_arg, metavar="PHONE")
    statement.add_argument("--limit", type=positive_int_arg, default=50)
    json_flag(statement)
    statement.set_defaults(handler=run_statement)


def run_credit(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return run(_credit(settings, args, clock))


def run_balance(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return run(_balance(settings, args, clock))


def run_statement(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return run(_statement(settings, args, clock))


async def _credit(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    async with database(settings) as db:
        service = PurchaseService(db, clock, worker_id="cli")
        credit = await operator_credit(
            service,
            phone=args.phone,
            amount=args.amount,
            reference=args.reference,
            name=args.name,
            actor=Actor.cli(),
            ceiling=settings.operator_credit_max,
        )
    if credit.created:
        out(f"credited {format_gsm(args.amount)} to {args.phone} (reference {args.reference})")
    else:
        out(f"reference {args.reference} was already credited to {args.phone}; nothing moved")
    out(f"balance {format_gsm(credit.balance)}")
    return 0


async def _balance(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    async with database(settings) as db:
        balance = await PurchaseService(db, clock, worker_id="cli").wallet_balance(args.phone)
    if args.json:
        out_json({"phone": args.phone, "balance_kobo": balance})
    else:
        out(f"{args.phone} {format_gsm(balance)}")
    return 0


async def _statement(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    async with database(settings) as db:
        service = PurchaseService(db, clock, worker_id="cli")
        lines = await service.statement(args.phone, args.limit)
        balance = await service.wallet_balance(args.phone)
    if args.json:
        out_json(
            {
                "phone": args.phone,
                "balance_kobo": balance,
                "lines": [
                    {
                        "journal_id": line.journal_id,
                        "created_at": iso(line.created_at),
                        "kind": line.kind,
                        "reference": line.reference,
                        "purchase_id": line.purchase_id,
                        "purchase_reference": line.purchase_reference,
                        "memo": line.memo,
                        "amount_kobo": line.amount if line.side is Side.CREDIT else -line.amount,
                    }
                    for line in lines
                ],
            }
        )
        return 0
    out(f"{args.phone} balance {format_gsm(balance)}")
    if not lines:
        out("no ledger lines")
    for line in lines:
        signed = line.amount if line.side is Side.CREDIT else -line.amount
        purchase = (
            f" purchase {line.purchase_id} {line.purchase_reference}"
            if line.purchase_id is not None
            else ""
        )
        out(
            f"{line.created_at:%Y-%m-%d %H:%M:%S}Z  {format_gsm(signed):>14}  "
            f"{line.kind:<18} {line.reference}{purchase}"
        )
    return 0
