"""What must hold after every scenario, however rough: the money and the messages add up.

- `paylink reconcile` (the operator's own command, against the simulator) reports nothing;
- every purchase is final and settled exactly once: one settlement journal each, one `/pay`
  per request id at the simulator and one transaction there, none it does not know of;
- every wallet holds what it was given less what was delivered (failed ones refunded);
- every purchase's receipt was sent exactly once: one `sent` outbox row each, and the fake AT
  took each SMS receipt text once (the fake Bot API left each chat receipt in a chat once).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from gateway.domain.purchase_status import OPEN_STATUSES, PurchaseStatus
from gateway.phones import normalize_phone
from gateway.purchases.service import PurchaseService
from gateway.store import users
from gateway.store.tables import (
    audit_table,
    journals_table,
    outbox_table,
    purchases_table,
)
from tests.resilience.cluster import Cluster
from tests.resilience.processes import log_tails, wait_until
from tests.telegram.chat import as_shown

RECONCILE_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class Settled:
    purchases: int
    delivered: int
    failed: int


async def purchase_rows(cluster: Cluster) -> list[object]:
    async with cluster.db() as session:
        return list(
            await session.execute(
                select(
                    purchases_table.c.id,
                    purchases_table.c.status,
                    purchases_table.c.request_id,
                    purchases_table.c.total,
                    purchases_table.c.user_id,
                )
            )
        )


async def wait_all_final(cluster: Cluster, timeout: float) -> None:
    async def final() -> bool:
        rows = await purchase_rows(cluster)
        return bool(rows) and not any(PurchaseStatus(r.status).is_open for r in rows)  # type: ignore[attr-defined]

    try:
        await wait_until(final, timeout, "every purchase to be final", cluster.logs, every=0.5)
    except AssertionError as timed_out:
        raise AssertionError(
            f"{timed_out}\nstill open:\n{await _open_purchases(cluster)}"
        ) from None


async def _open_purchases(cluster: Cluster) -> str:
    """Where each open purchase stands and what VTPass told it, for a timed-out wait."""
    p, a = purchases_table.c, audit_table.c
    async with cluster.db() as session:
        rows = list(
            await session.execute(
                select(
                    p.id,
                    p.request_id,
                    p.status,
                    p.attempts,
                    p.next_requery_at,
                    p.vend_claimed_by,
                    p.vend_claimed_until,
                    p.pay_sent_at,
                    func.now(),
                ).where(p.status.in_([s.value for s in OPEN_STATUSES]))
            )
        )
        trail = await session.execute(
            select(a.purchase_id, a.at, a.op, a.outcome, a.http_status, a.response)
            .where(a.purchase_id.in_([r.id for r in rows]))
            .order_by(a.id)
        )
        return "\n".join(str(tuple(row)) for row in [*rows, *trail])


async def wait_receipts_sent(cluster: Cluster, timeout: float) -> None:
    async def sent() -> bool:
        async with cluster.db() as session:
            statuses = (
                await session.scalars(
                    select(outbox_table.c.status).where(outbox_table.c.purchase_id.is_not(None))
                )
            ).all()
        return bool(statuses) and all(s == "sent" for s in statuses)

    await wait_until(sent, timeout, "every receipt to be sent", cluster.logs, every=0.5)


async def reconcile(cluster: Cluster) -> dict[str, object]:
    """`paylink reconcile --json` as an operator runs it; asserts it found nothing."""

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gateway", "reconcile", "--json"],
            env=cluster.env,
            capture_output=True,
            text=True,
            timeout=RECONCILE_TIMEOUT_S,
            check=False,
        )

    done = await asyncio.to_thread(run)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{log_tails(cluster.logs)}"
    report: dict[str, object] = json.loads(done.stdout)
    assert not report.get("discrepancies"), report
    return report


async def audit(cluster: Cluster, funded: dict[str, int]) -> Settled:
    """Every check of the module docstring; `funded`: phone -> kobo each wallet was given."""
    rows = await purchase_rows(cluster)
    assert rows, "the scenario bought nothing"
    assert not [r for r in rows if PurchaseStatus(r.status).is_open], rows  # type: ignore[attr-defined]
    request_ids = sorted(r.request_id for r in rows)  # type: ignore[attr-defined]

    pays = (await cluster.control.get("__sim/pay-requests")).json()["pay_requests"]
    stored = (await cluster.control.get("__sim/transactions")).json()["transactions"]
    assert pays == dict.fromkeys(request_ids, 1), "not exactly one /pay per request id"
    assert sorted(t["request_id"] for t in stored) == request_ids

    async with cluster.db() as session:
        settlements = Counter(
            (
                await session.scalars(
                    select(journals_table.c.purchase_id).where(
                        journals_table.c.reference.like("purchase:%:settle")
                    )
                )
            ).all()
        )
        receipts = list(
            await session.execute(
                select(
                    outbox_table.c.purchase_id,
                    outbox_table.c.status,
                    outbox_table.c.body,
                    outbox_table.c.channel,
                ).where(outbox_table.c.purchase_id.is_not(None))
            )
        )
    ids = sorted(r.id for r in rows)  # type: ignore[attr-defined]
    assert settlements == Counter(ids), "not exactly one settlement per purchase"
    assert sorted(r.purchase_id for r in receipts) == ids, "not one receipt per purchase"
    assert {r.status for r in receipts} == {"sent"}, receipts
    taken = Counter(sms.message for sms in cluster.fake_at.accepted)
    for receipt in receipts:
        if receipt.channel == "telegram":
            assert _in_chats(cluster, receipt.body) == 1, receipt.body
        else:
            assert taken[receipt.body] == 1, (receipt.body, taken[receipt.body])
    assert cluster.fake_at.stats()["duplicates"] == 0

    shop = PurchaseService(cluster.db, await cluster.clock(), worker_id="test-audit")
    delivered = [r for r in rows if r.status == PurchaseStatus.DELIVERED]  # type: ignore[attr-defined]
    for phone, kobo in funded.items():
        user_rows = await _user_rows(cluster, phone, rows)
        spent = sum(r.total for r in user_rows if r in delivered)  # type: ignore[attr-defined]
        assert await shop.wallet_balance(phone) == kobo - spent, phone

    await reconcile(cluster)
    return Settled(len(rows), len(delivered), len(rows) - len(delivered))


def _in_chats(cluster: Cluster, body: str) -> int:
    """How many messages the bot left in chats that read as the chat receipt `body`."""
    assert cluster.bot_api is not None, "a Telegram receipt, and no Bot API"
    shown = as_shown(body)
    return sum(1 for m in cluster.bot_api.messages.values() if m.from_bot and m.visible == shown)


async def _user_rows(cluster: Cluster, phone: str, rows: list[object]) -> list[object]:
    async with cluster.db() as session:
        user = await users.find_by_phone(session, normalize_phone(phone))
    assert user is not None, phone
    return [r for r in rows if r.user_id == user.id]  # type: ignore[attr-defined]
