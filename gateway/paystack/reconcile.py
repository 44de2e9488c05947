"""Fundings against Paystack's own record (`paylink reconcile`, unless `--offline`).

Two directions, over the last `days`: every successful Paystack transaction that is ours (a
checkout we started, or a transfer into one of our dedicated accounts) is credited (or held
for review); and every funding we credited is one Paystack shows as successful (re-verified
one by one when the listing does not carry it). Read-only: it reports, the sweep acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.paystack import store
from gateway.paystack.client import PaystackClient
from gateway.store.tables import Funding


@dataclass(frozen=True, slots=True)
class PaystackFinding:
    check: str
    subject: str
    detail: str


async def compare_with_paystack(
    db: async_sessionmaker[AsyncSession], client: PaystackClient, now: datetime, days: int = 3
) -> list[PaystackFinding]:
    since = now - timedelta(days=days)
    listed = {t.reference: t for t in await client.transactions(since=since.isoformat())}
    findings: list[PaystackFinding] = []
    async with db() as session:
        rows = await session.execute(
            select(Funding.reference, Funding.status).where(Funding.created_at >= since)
        )
        ours: dict[str, str] = {ref: status for ref, status in rows}  # noqa: C416
        for ref, txn in listed.items():
            is_ours = ref in ours or (
                txn.is_transfer
                and txn.receiver_account is not None
                and await store.account_by_number(session, txn.receiver_account) is not None
            )
            if is_ours and ours.get(ref) not in ("credited", "review"):
                detail = (
                    f"Paystack shows {txn.amount} kobo paid; ours is {ours.get(ref, 'missing')}"
                )
                findings.append(
                    PaystackFinding("paystack_not_credited", f"transaction {ref}", detail)
                )
    for ref, status in ours.items():
        if status != "credited" or ref in listed:
            continue
        found = await client.verify(ref)
        if found is None or not found.succeeded:
            shown = "nothing" if found is None else found.status
            findings.append(
                PaystackFinding(
                    "credited_not_at_paystack", f"funding {ref}", f"Paystack shows {shown}"
                )
            )
    return findings
