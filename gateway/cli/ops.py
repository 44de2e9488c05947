"""`paylink requery`, `paylink reconcile` and `paylink outbox`: settle, check and look.

`reconcile` exits 1 when any invariant of architecture.md §3 fails, so it can gate a cron job
or a deploy; pending purchases are not discrepancies (VTPass may still be working on them).
"""

from __future__ import annotations

import argparse
import socket
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.cli.common import (
    database,
    duration_arg,
    err,
    out,
    phone_arg,
    positive_int_arg,
    run,
    vtpass,
)
from gateway.clock import Clock
from gateway.errors import GatewayError
from gateway.money import format_gsm
from gateway.purchases.reconcile import reconcile_database
from gateway.purchases.service import PurchaseService
from gateway.purchases.statuses import PurchaseStatus
from gateway.settings import Settings
from gateway.store import ledger, outbox
from gateway.store import purchases as store
from gateway.vtpass.client import VTPassClient

EXIT_DISCREPANCY = 1


def register(commands: Any) -> None:
    requery = commands.add_parser("requery", help="settle pending purchases now (requery VTPass)")
    requery.add_argument(
        "--older-than",
        type=duration_arg,
        default=60.0,
        metavar="AGE",
        help="only purchases whose /pay left at least this long ago (default 60s)",
    )
    requery.add_argument("--limit", type=positive_int_arg, default=1000)
    requery.set_defaults(handler=run_requery)

    reconcile = commands.add_parser(
        "reconcile", help="requery open purchases, check every ledger invariant, compare the float"
    )
    reconcile.add_argument(
        "--offline", action="store_true", help="check the ledger only; do not ask VTPass"
    )
    reconcile.set_defaults(handler=run_reconcile)

    listing = commands.add_parser("outbox", help="queued and sent notifications, newest first")
    listing.add_argument("--phone", type=phone_arg, metavar="PHONE")
    listing.add_argument("--limit", type=positive_int_arg, default=20)
    listing.set_defaults(handler=run_outbox)


def run_requery(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return run(_requery(settings, args, clock))


def run_reconcile(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return run(_reconcile(settings, args, clock))


def run_outbox(settings: Settings, args: argparse.Namespace, _clock: Clock) -> int:
    return run(_outbox(settings, args))


def _service(db: async_sessionmaker[AsyncSession], clock: Clock) -> PurchaseService:
    return PurchaseService(db, clock, worker_id=f"cli:{socket.gethostname()[:40]}")


async def requery_pending(
    service: PurchaseService,
    client: VTPassClient,
    clock: Clock,
    *,
    older_than_s: float = 0.0,
    limit: int = 1000,
) -> tuple[int, int]:
    """Requery pending purchases whose `/pay` is `older_than_s` old; (asked, settled)."""
    cutoff = clock.now() - timedelta(seconds=older_than_s) if older_than_s > 0 else None
    async with service.sessionmaker() as session:
        pending = await store.list_open(session, sent_before=cutoff, limit=limit)
    settled = 0
    for purchase in pending:
        try:
            after = await service.requery(purchase.id, client)
        except GatewayError as exc:
            out(f"purchase {purchase.id} ({purchase.request_id}): requery failed: {exc}")
            continue
        settled += 0 if after.status.is_open else 1
        note = (
            " (held by a worker)" if after.vend_claimed_by not in (None, service.worker_id) else ""
        )
        out(f"purchase {purchase.id} ({purchase.request_id}): pending -> {after.status}{note}")
    return len(pending), settled


async def _requery(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    async with database(settings) as db, vtpass(settings, clock) as client:
        asked, settled = await requery_pending(
            _service(db, clock), client, clock, older_than_s=args.older_than, limit=args.limit
        )
    out(f"requeried {asked} pending purchases; {settled} settled")
    return 0


async def _reconcile(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    async with database(settings) as db:
        if args.offline or settings.uses_builtin_simulator:
            if not args.offline:
                out("VTPass not asked: the built-in simulator lives inside `paylink serve`")
        else:
            async with vtpass(settings, clock) as client:
                asked, settled = await requery_pending(_service(db, clock), client, clock)
                out(f"requeried {asked} pending purchases; {settled} settled")
                await _compare_float(db, client)
        report = await reconcile_database(db)
        async with db() as session:
            counts = await store.count_by_status(session)
    shown = ", ".join(f"{counts.get(s, 0)} {s}" for s in PurchaseStatus)
    out(f"purchases: {shown}")
    out(report.render())
    return 0 if report.ok else EXIT_DISCREPANCY


async def _compare_float(db: async_sessionmaker[AsyncSession], client: VTPassClient) -> None:
    """Show VTPass's float beside what our ledger paid into it (information, not a check:
    the float's top-ups happen at VTPass, outside this ledger)."""
    try:
        remote = await client.balance()
    except GatewayError as exc:
        err(f"VTPass balance unavailable: {exc}")
        return
    async with db() as session:
        system = await ledger.load_system_accounts(session)
        paid = await ledger.balance(session, system.vtpass_float.id)
    out(f"VTPass float {format_gsm(remote)}; purchases delivered through it {format_gsm(paid)}")


async def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    async with database(settings) as db, db() as session:
        messages = await outbox.recent(session, phone=args.phone, limit=args.limit)
    if not messages:
        out("no notifications" + (f" for {args.phone}" if args.phone else ""))
    for message in messages:
        out(
            f"#{message.id} {message.created_at:%Y-%m-%d %H:%M:%S}Z {message.status:<6} "
            f"{message.channel:<8} {message.phone} {message.body}"
        )
    return 0
