"""`paylink requery`, `paylink reconcile` and `paylink outbox`: settle, check and look.

`reconcile` exits 1 when any invariant of architecture.md §3 fails, or Paystack's record and our
fundings disagree, so it can gate a cron job or a deploy; pending purchases are not
discrepancies (VTPass may still be working on them), nor is a provider that did not answer.
"""

from __future__ import annotations

import argparse
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.cli.common import (
    database,
    duration_arg,
    err,
    iso,
    json_flag,
    out,
    out_json,
    phone_arg,
    positive_int_arg,
    run,
    vtpass,
)
from gateway.clock import Clock
from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import GatewayError
from gateway.money import format_gsm
from gateway.paystack.client import PaystackClient
from gateway.paystack.reconcile import PaystackFinding, compare_with_paystack
from gateway.purchases.reconcile import reconcile_database
from gateway.purchases.service import PurchaseService
from gateway.settings import Settings
from gateway.store import ledger, outbox
from gateway.store import purchases as store
from gateway.store.outbox import OutboxMessage
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
    json_flag(requery)
    requery.set_defaults(handler=run_requery)

    reconcile = commands.add_parser(
        "reconcile",
        help="requery open purchases, check every ledger invariant, compare the float and "
        "the fundings with Paystack",
    )
    reconcile.add_argument(
        "--offline",
        action="store_true",
        help="check the ledger only; do not ask VTPass or Paystack",
    )
    json_flag(reconcile)
    reconcile.set_defaults(handler=run_reconcile)

    listing = commands.add_parser("outbox", help="queued and sent notifications, newest first")
    listing.add_argument("--phone", type=phone_arg, metavar="PHONE")
    listing.add_argument(
        "--failed", action="store_true", help="only messages given up on (never sent)"
    )
    listing.add_argument("--limit", type=positive_int_arg, default=20)
    json_flag(listing)
    listing.set_defaults(handler=run_outbox)


def run_requery(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return run(_requery(settings, args, clock))


def run_reconcile(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return run(_reconcile(settings, args, clock))


def run_outbox(settings: Settings, args: argparse.Namespace, _clock: Clock) -> int:
    return run(_outbox(settings, args))


def _service(db: async_sessionmaker[AsyncSession], clock: Clock) -> PurchaseService:
    return PurchaseService(db, clock, worker_id=f"cli:{socket.gethostname()[:40]}")


@dataclass(frozen=True, slots=True)
class Requeried:
    """What one requery found: the status after it (None when VTPass could not be asked)."""

    purchase_id: int
    reference: str
    request_id: str
    status: PurchaseStatus | None
    held_by_worker: bool = False
    error: str | None = None

    @property
    def settled(self) -> bool:
        return self.status is not None and not self.status.is_open

    def line(self) -> str:
        head = f"purchase {self.purchase_id} {self.reference} ({self.request_id})"
        if self.status is None:
            return f"{head}: requery failed: {self.error}"
        held = " (held by a worker)" if self.held_by_worker else ""
        return f"{head}: pending -> {self.status}{held}"

    def as_json(self) -> dict[str, object]:
        return {
            "purchase_id": self.purchase_id,
            "reference": self.reference,
            "request_id": self.request_id,
            "status": None if self.status is None else str(self.status),
            "held_by_worker": self.held_by_worker,
            "error": self.error,
        }


async def requery_pending(
    service: PurchaseService,
    client: VTPassClient,
    clock: Clock,
    *,
    older_than_s: float = 0.0,
    limit: int = 1000,
) -> list[Requeried]:
    """Requery pending purchases whose `/pay` is `older_than_s` old; what each one found."""
    cutoff = clock.now() - timedelta(seconds=older_than_s) if older_than_s > 0 else None
    async with service.sessionmaker() as session:
        pending = await store.list_open(session, sent_before=cutoff, limit=limit)
    found: list[Requeried] = []
    for purchase in pending:
        try:
            after = await service.requery(purchase.id, client)
        except GatewayError as exc:
            found.append(
                Requeried(
                    purchase.id, purchase.reference, purchase.request_id, None, error=str(exc)
                )
            )
            continue
        held = after.vend_claimed_by not in (None, service.worker_id)
        found.append(
            Requeried(purchase.id, purchase.reference, purchase.request_id, after.status, held)
        )
    return found


def _summary(found: list[Requeried]) -> str:
    settled = sum(r.settled for r in found)
    return f"requeried {len(found)} pending purchases; {settled} settled"


async def _requery(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    async with database(settings) as db, vtpass(settings, clock) as client:
        found = await requery_pending(
            _service(db, clock), client, clock, older_than_s=args.older_than, limit=args.limit
        )
    if args.json:
        out_json(
            {
                "requeried": len(found),
                "settled": sum(r.settled for r in found),
                "purchases": [r.as_json() for r in found],
            }
        )
        return 0
    for requeried in found:
        out(requeried.line())
    out(_summary(found))
    return 0


@dataclass(frozen=True, slots=True)
class FloatCheck:
    """VTPass's float beside what our ledger paid into it (information, not a check: the
    float's top-ups happen at VTPass, outside this ledger)."""

    remote: int | None  # kobo; None when VTPass did not answer
    paid: int
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PaystackCheck:
    """Paystack's record beside our fundings: what disagrees (each one fails reconcile), or why
    Paystack could not be asked (a warning, like the float: the ledger checks still ran)."""

    findings: list[PaystackFinding]
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "error": self.error,
            "findings": [
                {"check": f.check, "subject": f.subject, "detail": f.detail} for f in self.findings
            ],
        }


async def _reconcile(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    found: list[Requeried] | None = None
    float_check: FloatCheck | None = None
    paystack_check: PaystackCheck | None = None
    asked_vtpass = not args.offline and not settings.uses_builtin_simulator
    asked_paystack = not args.offline and not settings.funding.uses_builtin_simulator
    async with database(settings) as db:
        if asked_vtpass:
            async with vtpass(settings, clock) as client:
                found = await requery_pending(_service(db, clock), client, clock)
                float_check = await _compare_float(db, client)
        if asked_paystack:
            paystack_check = await _compare_paystack(db, settings, clock)
        report = await reconcile_database(db)
        async with db() as session:
            counts = await store.count_by_status(session)
    ok = report.ok and (paystack_check is None or not paystack_check.findings)
    if args.json:
        out_json(
            {
                "ok": ok,
                "vtpass_asked": asked_vtpass,
                "requery": None
                if found is None
                else {
                    "requeried": len(found),
                    "settled": sum(r.settled for r in found),
                    "purchases": [r.as_json() for r in found],
                },
                "vtpass_float": None
                if float_check is None
                else {
                    "balance_kobo": float_check.remote,
                    "delivered_through_kobo": float_check.paid,
                    "error": float_check.error,
                },
                "paystack_asked": asked_paystack,
                "paystack": None if paystack_check is None else paystack_check.as_json(),
                "purchases": {str(s): counts.get(s, 0) for s in PurchaseStatus},
                "checked": {
                    "journals": report.journals_checked,
                    "wallets": report.wallets_checked,
                    "purchases": report.purchases_checked,
                },
                "discrepancies": [
                    {"check": d.check, "subject": d.subject, "detail": d.detail}
                    for d in report.discrepancies
                ],
            }
        )
        return 0 if ok else EXIT_DISCREPANCY
    if not args.offline and not asked_vtpass:
        out("VTPass not asked: the built-in simulator lives inside `paylink serve`")
    if not args.offline and not asked_paystack:
        out("Paystack not asked: the built-in simulator lives inside `paylink serve`")
    if found is not None:
        for requeried in found:
            out(requeried.line())
        out(_summary(found))
    if float_check is not None:
        if float_check.remote is None:
            err(f"VTPass balance unavailable: {float_check.error}")
        else:
            out(
                f"VTPass float {format_gsm(float_check.remote)}; purchases delivered through it "
                f"{format_gsm(float_check.paid)}"
            )
    if paystack_check is not None:
        _show_paystack(paystack_check)
    shown = ", ".join(f"{counts.get(s, 0)} {s}" for s in PurchaseStatus)
    out(f"purchases: {shown}")
    out(report.render())
    return 0 if ok else EXIT_DISCREPANCY


async def _compare_paystack(
    db: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock
) -> PaystackCheck:
    client = PaystackClient.from_settings(settings.funding)
    try:
        return PaystackCheck(await compare_with_paystack(db, client, clock.now()))
    except GatewayError as exc:
        return PaystackCheck([], str(exc))
    finally:
        await client.aclose()


def _show_paystack(check: PaystackCheck) -> None:
    if check.error is not None:
        err(f"Paystack not compared: {check.error}")
    elif not check.findings:
        out("Paystack: every successful payment of the last 3 days credited once, nothing more")
    else:
        out(f"Paystack: {len(check.findings)} disagreements")
        for finding in check.findings:
            out(f"  [{finding.check}] {finding.subject}: {finding.detail}")


async def _compare_float(db: async_sessionmaker[AsyncSession], client: VTPassClient) -> FloatCheck:
    async with db() as session:
        system = await ledger.load_system_accounts(session)
        paid = await ledger.balance(session, system.vtpass_float.id)
    try:
        remote = await client.balance()
    except GatewayError as exc:
        return FloatCheck(None, paid, str(exc))
    return FloatCheck(remote, paid)


async def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    status = "failed" if args.failed else None
    async with database(settings) as db, db() as session:
        messages = await outbox.recent(session, phone=args.phone, status=status, limit=args.limit)
    if args.json:
        out_json({"messages": [_message_json(message) for message in messages]})
        return 0
    if not messages:
        scope = " failed" if args.failed else ""
        out(f"no{scope} notifications" + (f" for {args.phone}" if args.phone else ""))
    for message in messages:
        out(_message_line(message))
    return 0


def _message_json(message: OutboxMessage) -> dict[str, object]:
    return {
        "id": message.id,
        "created_at": iso(message.created_at),
        "sent_at": iso(message.sent_at),
        "status": message.status,
        "channel": message.channel,
        "phone": message.phone,
        "purchase_id": message.purchase_id,
        "attempts": message.attempts,
        "next_attempt_at": iso(message.next_attempt_at) if message.status == "queued" else None,
        "last_error": message.last_error,
        "provider_message_id": message.provider_message_id,
        "provider_status_code": message.provider_status_code,
        "provider_status": message.provider_status,
        "cost": message.provider_cost,
        "delivery_status": message.delivery_status,
        "delivery_failure_reason": message.delivery_failure_reason,
        "delivery_updated_at": iso(message.delivery_updated_at),
        "body": message.body,
    }


def _message_line(message: OutboxMessage) -> str:
    """One line: id, time, status, channel, phone, [what happened], the text."""
    notes = []
    if message.delivery_status is not None:
        reason = message.delivery_failure_reason
        notes.append(f"delivery {message.delivery_status}" + (f" ({reason})" if reason else ""))
    if message.status in {"queued", "failed"} and message.last_error:
        notes.append(f"attempt {message.attempts}: {message.last_error}")
    if message.status == "queued" and message.attempts and message.next_attempt_at is not None:
        notes.append(f"next {message.next_attempt_at:%H:%M:%S}Z")
    head = (
        f"#{message.id} {message.created_at:%Y-%m-%d %H:%M:%S}Z {message.status:<7} "
        f"{message.channel:<8} {message.phone}"
    )
    return f"{head} [{'; '.join(notes)}] {message.body}" if notes else f"{head} {message.body}"
