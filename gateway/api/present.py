"""Store records as response models (what the API shows, and what it never shows)."""

from __future__ import annotations

from gateway.api.schemas import (
    Money,
    OperatorPurchaseOut,
    PurchaseOut,
    PurchaseStatusName,
    StatementLineOut,
)
from gateway.store.ledger import StatementLine
from gateway.store.purchases import PurchaseRecord


def _purchase_fields(p: PurchaseRecord) -> dict[str, object]:
    # never the idempotency key's hash, leases or the VTPass audit: those are operators' business
    return {
        "id": p.id,
        "status": PurchaseStatusName(p.status.value),
        "category": p.category,
        "service_id": p.service_id,
        "product": p.product,
        "variation_code": p.variation_code,
        "customer_ref": p.customer_ref,
        "subscription_type": p.options.get("subscription_type"),
        "phone": p.phone,
        "quantity": p.quantity,
        "amount": Money.of(p.face_amount),
        "fee": Money.of(p.fee),
        "discount": Money.of(p.discount),
        "total": Money.of(p.total),
        "token": p.token,
        "units": p.units,
        "pins": list(p.pins),
        "failure_reason": p.failure_reason,
        "reference": p.reference,
        "channel": p.channel,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "settled_at": p.settled_at,
    }


def purchase_out(p: PurchaseRecord) -> PurchaseOut:
    return PurchaseOut.model_validate(_purchase_fields(p))


def operator_purchase_out(p: PurchaseRecord) -> OperatorPurchaseOut:
    return OperatorPurchaseOut.model_validate(
        {
            **_purchase_fields(p),
            "user_id": p.user_id,
            "buyer_phone": p.buyer_phone,
            "request_id": p.request_id,
            "vtpass_transaction_id": p.vtpass_transaction_id,
            "vtpass_code": p.vtpass_code,
            "attempts": p.attempts,
            "needs_review": p.needs_review,
            "next_requery_at": p.next_requery_at,
            "pay_sent_at": p.pay_sent_at,
        }
    )


def statement_line_out(line: StatementLine) -> StatementLineOut:
    return StatementLineOut(
        journal_id=line.journal_id,
        kind=line.kind,
        direction="credit" if line.side.value == "credit" else "debit",
        amount=Money.of(line.amount),
        purchase_id=line.purchase_id,
        memo=line.memo,
        created_at=line.created_at,
    )
