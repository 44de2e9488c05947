"""Settlement: apply a VTPass answer to a purchase; money moves at most once, whoever calls.

The decisions are pure (`plan`, `settled_values`, `charged_amount`, `requery_delay`); the
`Settlement` batches concurrent settles into one transaction (`GroupCommit`), each decided
under its purchase's row lock, and writes the audit rows, updates, journals and receipts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.purchase_status import PurchaseStatus
from gateway.errors import NotFound
from gateway.group_commit import GroupCommit
from gateway.metrics import PURCHASES, SETTLE_SECONDS
from gateway.money import naira_to_kobo
from gateway.purchases import postings
from gateway.purchases.deps import PurchaseDeps
from gateway.purchases.models import PurchasePolicy
from gateway.purchases.receipts import customer_name_in, receipt_messages
from gateway.purchases.statuses import Action, plan_settlement, requery_delay_s
from gateway.scrub import scrub
from gateway.store import ledger, outbox
from gateway.store import purchases as store
from gateway.store.purchases import PurchaseRecord
from gateway.vtpass.models import PayResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SettleItem:
    """One VTPass answer waiting for its batch; `request` is scrubbed before it is stored."""

    purchase_id: int
    result: PayResult
    source: str
    request: Mapping[str, Any] | None


_MONEY_ACTIONS: dict[
    Action,
    tuple[
        ledger.JournalKind,
        str,
        Callable[[PurchaseRecord, ledger.SystemAccounts], list[ledger.Leg]],
    ],
] = {
    Action.DELIVER: (ledger.JournalKind.PURCHASE_DELIVERED, "settle", postings.delivery),
    Action.REFUND: (ledger.JournalKind.PURCHASE_REFUND, "settle", postings.refund),
    Action.REVERSE: (ledger.JournalKind.PURCHASE_REVERSAL, "reversal", postings.reversal),
}


def requery_delay(policy: PurchasePolicy, attempts: int) -> float:
    """Seconds before the next requery after `attempts` answers, under `policy`."""
    return requery_delay_s(attempts, base_s=policy.requery_base_s, cap_s=policy.requery_cap_s)


def plan(
    purchase: PurchaseRecord, result: PayResult, now: datetime, policy: PurchasePolicy
) -> Action:
    """The action for this answer; a "never seen" this soon after `/pay` only waits, since
    VTPass may still be catching up (`unsent_grace_s`)."""
    action = plan_settlement(purchase.status, result.outcome)
    if action is Action.UNSENT:
        sent = purchase.pay_sent_at or purchase.created_at
        if (now - sent).total_seconds() < policy.unsent_grace_s:
            return Action.WAIT
    return action


def settled_values(
    current: PurchaseRecord,
    action: Action,
    result: PayResult,
    now: datetime,
    policy: PurchasePolicy,
) -> dict[str, Any] | None:
    """The new column values for `action`, or None if the purchase is not in a status
    the action applies to (a settle that lost a race, or nothing to do)."""
    released = {"vend_claimed_by": None, "vend_claimed_until": None, "updated_at": now}
    attempts = current.attempts + 1
    code = result.code or current.vtpass_code
    if action is Action.NOTHING:
        return None
    if action is Action.REVERSE:
        if current.status is not PurchaseStatus.DELIVERED:
            return None
    elif not current.status.is_open:
        return None
    if action is Action.WAIT:
        age = (now - current.created_at).total_seconds()
        review = attempts >= policy.review_after_attempts or age >= policy.review_after_s
        return {
            **released,
            "status": PurchaseStatus.PENDING,
            "attempts": attempts,
            "needs_review": review,
            # flagged purchases wait for an operator (or a webhook) instead of the sweep
            "next_requery_at": None
            if review
            else now + timedelta(seconds=requery_delay(policy, attempts)),
            "vtpass_code": code,
        }
    if action is Action.UNSENT:
        if current.status is not PurchaseStatus.PENDING:
            return None
        return {
            **released,
            "status": PurchaseStatus.INITIATED,
            "pay_sent_at": None,
            "attempts": attempts,
            "next_requery_at": None,
        }
    final = {
        **released,
        "attempts": attempts,
        "next_requery_at": None,
        "needs_review": False,
        "vtpass_code": code,
        "vtpass_transaction_id": result.transaction_id or current.vtpass_transaction_id,
    }
    if action is Action.DELIVER:
        charged = charged_amount(result)
        recheck = policy.delivered_recheck_s
        return {
            **final,
            "status": PurchaseStatus.DELIVERED,
            "settled_at": now,
            # for a delivered purchase, when the worker's sweep asks once more (reversals)
            "next_requery_at": None if recheck is None else now + timedelta(seconds=recheck),
            "token": result.token,
            "units": result.units,
            "pins": list(result.pins) or None,
            "vtpass_amount": charged,
            # VTPass took another figure from our float than the wallet paid: an operator
            # must look (defence in depth behind server-side pricing)
            "needs_review": charged is not None and charged != current.face_amount,
        }
    if action is Action.REFUND:
        reason = result.reason or result.description or str(result.outcome)
        return {
            **final,
            "status": PurchaseStatus.FAILED,
            "settled_at": now,
            "failure_reason": reason[:255],
        }
    # a reversal keeps a delivery's review flag: the mismatch still needs an operator
    return {**final, "status": PurchaseStatus.REVERSED, "needs_review": current.needs_review}


def charged_amount(result: PayResult) -> int | None:
    """What VTPass reports it charged for the purchase (face, before commission), in kobo.

    `amount` (in `content.transactions`, else top level), else `unit_price × quantity`;
    None when the answer names no figure (e.g. a webhook body without one).
    """
    if result.amount is not None:
        return int(result.amount)
    content = result.raw.get("content")
    txn = content.get("transactions") if isinstance(content, Mapping) else None
    if not isinstance(txn, Mapping):
        return None
    try:
        unit = naira_to_kobo(txn["unit_price"])
        quantity = int(txn.get("quantity") or 1)
    except (KeyError, ValueError, TypeError):
        return None
    return unit * quantity


def audit_entry(item: SettleItem, now: datetime) -> store.AuditEntry:
    """The audit row of one answer, credentials scrubbed from both sides."""
    result = item.result
    summary = {
        "outcome": str(result.outcome),
        "code": result.code,
        "description": result.description,
        "reason": result.reason,
        "status": result.status,
        "transaction_id": result.transaction_id,
    }
    return store.AuditEntry(
        purchase_id=item.purchase_id,
        at=now,
        op=item.source,
        outcome=str(result.outcome),
        http_status=result.http_status,
        request=scrub(dict(item.request)) if item.request is not None else None,
        response={**summary, "body": scrub(dict(result.raw))},
    )


def _record_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Column values as `PurchaseRecord` holds them (pins as a tuple)."""
    fields = dict(values)
    if "pins" in fields:
        fields["pins"] = tuple(fields["pins"] or ())
    return fields


def _alert_amount_mismatch(purchase: PurchaseRecord) -> None:
    # The operator alert: one ERROR line with a stable event name; ids and amounts only.
    logger.error(
        "purchase_amount_mismatch: purchase %s (request_id %s, %s) delivered with VTPass"
        " charging %s kobo against a face amount of %s kobo; flagged for review",
        purchase.id,
        purchase.request_id,
        purchase.service_id,
        purchase.vtpass_amount,
        purchase.face_amount,
    )


_FINAL = frozenset({PurchaseStatus.DELIVERED, PurchaseStatus.FAILED})


def _count(moved: Sequence[PurchaseRecord], now: datetime) -> None:
    """Each purchase that changed status, by its new status; the final ones' time since submit."""
    for purchase in moved:
        PURCHASES.labels(purchase.status.value, purchase.category).inc()
        if purchase.status in _FINAL:
            seconds = (now - purchase.created_at).total_seconds()
            SETTLE_SECONDS.labels(purchase.category).observe(max(seconds, 0.0))


class Settlement:
    """Settles VTPass answers; concurrent settles share one transaction (group commit)."""

    def __init__(self, deps: PurchaseDeps) -> None:
        self._deps = deps
        self.batches = GroupCommit(self._batch, name="settle", max_batch=128)

    async def settle(
        self,
        purchase_id: int,
        result: PayResult,
        *,
        source: str = "settle",
        request: Mapping[str, Any] | None = None,
    ) -> PurchaseRecord:
        """Apply one VTPass answer (see `PurchaseService.settle`)."""
        return await self.batches(SettleItem(purchase_id, result, source, request))

    async def _batch(self, items: Sequence[SettleItem]) -> list[PurchaseRecord | Exception]:
        moved: list[PurchaseRecord] = []
        async with self._deps.db.begin() as session:
            outcomes = await self._settle_many(session, items, moved)
        _count(moved, self._deps.clock.now())  # committed: only real moves are counted
        return outcomes

    async def _settle_many(
        self,
        session: AsyncSession,
        items: Sequence[SettleItem],
        moved: list[PurchaseRecord] | None = None,
    ) -> list[PurchaseRecord | Exception]:
        now = self._deps.clock.now()
        policy = self._deps.policy
        current = await store.lock_many(session, {item.purchase_id for item in items})
        system = await self._deps.system_accounts(session)
        outcomes: list[PurchaseRecord | Exception] = []
        audits: list[store.AuditEntry] = []
        updates: dict[int, store.RowUpdate] = {}  # one per purchase (see below)
        journals: list[ledger.Posting] = []
        receipts: list[outbox.NewMessage] = []
        for item in items:
            purchase = current.get(item.purchase_id)
            if purchase is None:
                outcomes.append(NotFound(f"no purchase {item.purchase_id}"))
                continue
            audits.append(audit_entry(item, now))
            action = plan(purchase, item.result, now, policy)
            values = settled_values(purchase, action, item.result, now, policy)
            if values is None:  # nothing to do, or another settle got there first
                outcomes.append(purchase)
                continue
            # A second answer for one purchase in this batch merges into its first update:
            # updating a row version this transaction already wrote would make Postgres
            # re-check its foreign keys, locking the wallet out of account order.
            earlier = updates.get(purchase.id)
            updates[purchase.id] = (
                store.RowUpdate(purchase.id, purchase.status, values)
                if earlier is None
                else store.RowUpdate(purchase.id, earlier.was, {**earlier.values, **values})
            )
            settled = replace(purchase, **_record_fields(values))
            current[purchase.id] = settled
            outcomes.append(settled)
            if moved is not None and settled.status is not purchase.status:
                moved.append(settled)
            if action is Action.DELIVER and settled.needs_review:
                _alert_amount_mismatch(settled)
            if action in _MONEY_ACTIONS:
                kind, suffix, legs = _MONEY_ACTIONS[action]
                journals.append(
                    ledger.Posting(
                        kind,
                        f"purchase:{purchase.id}:{suffix}",
                        legs(settled, system),
                        now,
                        purchase_id=purchase.id,
                    )
                )
                # the holder's name only from a delivery (the answer that sold to the account)
                name = customer_name_in(item.result.raw) if action is Action.DELIVER else None
                receipts += receipt_messages(settled, purchase.buyer_phone, customer_name=name)
        await store.add_audits(session, audits)
        await store.update_many(session, list(updates.values()))
        await ledger.post_many(session, journals)
        await outbox.enqueue_many(session, receipts, at=now)
        return outcomes
