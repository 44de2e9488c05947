"""Back-office operations for operators and admins: credit, look up, requery, reconcile."""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps
from gateway.api.auth import Principal
from gateway.api.openapi import Operations, Reply
from gateway.api.present import operator_purchase_out
from gateway.api.schemas import (
    CreditIn,
    CreditOut,
    DiscrepancyOut,
    Money,
    OperatorPurchaseOut,
    PurchasePath,
    ReconciliationOut,
)
from gateway.purchases.reconcile import reconcile_database

ops = Operations("operators", "Back office: needs the `operator` or `admin` role.")
ROLE = "operator"


@ops.route(
    "POST",
    "/api/v1/operator/wallet-credits",
    summary="Credit a wallet (idempotent by reference)",
    responses={201: CreditOut, 200: CreditOut},
    role=ROLE,
    errors=(409,),
)
async def credit_wallet(request: web.Request, _principal: Principal, body: CreditIn) -> Reply:
    """201 when money moved; 200 when this reference was already credited (nothing moved);
    409 when the reference was used for another phone or amount. An unknown phone gets an
    account (as on USSD)."""
    credit = await deps.purchases(request).credit_wallet(
        body.phone, body.amount, body.reference, name=body.name
    )
    out = CreditOut(
        user_id=credit.user_id,
        phone=body.phone,
        balance=Money.of(credit.balance),
        created=credit.created,
    )
    return Reply(out, 201 if credit.created else 200)


@ops.route(
    "GET",
    "/api/v1/operator/purchases/{purchase_id}",
    summary="Any purchase, with its provider details",
    responses={200: OperatorPurchaseOut},
    role=ROLE,
)
async def operator_get_purchase(
    request: web.Request, _principal: Principal, path: PurchasePath
) -> OperatorPurchaseOut:
    return operator_purchase_out(await deps.purchases(request).get(path.purchase_id))


@ops.route(
    "POST",
    "/api/v1/operator/purchases/{purchase_id}/requery",
    summary="Ask the provider about a purchase now and settle the answer",
    responses={200: OperatorPurchaseOut},
    role=ROLE,
    errors=(502, 503),
)
async def operator_requery(
    request: web.Request, _principal: Principal, path: PurchasePath
) -> OperatorPurchaseOut:
    """Never pays again: a requery only reads. Settled purchases come back unchanged (a
    delivered one is still asked, since only a requery may confirm a reversal)."""
    service = deps.purchases(request)
    await service.get(path.purchase_id)  # 404 before any upstream call
    return operator_purchase_out(await service.requery(path.purchase_id, deps.vtpass(request)))


@ops.route(
    "GET",
    "/api/v1/operator/reconciliation",
    summary="Check every ledger invariant now",
    responses={200: ReconciliationOut},
    role=ROLE,
)
async def reconciliation(request: web.Request, _principal: Principal) -> ReconciliationOut:
    """Runs `paylink reconcile` on one consistent snapshot; `ok: false` lists discrepancies."""
    report = await reconcile_database(deps.db(request))
    return ReconciliationOut(
        ok=report.ok,
        journals_checked=report.journals_checked,
        wallets_checked=report.wallets_checked,
        purchases_checked=report.purchases_checked,
        discrepancies=[
            DiscrepancyOut(check=d.check, subject=d.subject, detail=d.detail)
            for d in report.discrepancies
        ],
    )
