"""Back-office operations for operators and admins: credit, look up, requery, reconcile,
suspend and reactivate accounts."""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps
from gateway.api.account_status import change_account_status
from gateway.api.auth import Principal
from gateway.api.errors import ApiError
from gateway.api.openapi import HttpReply, Operations
from gateway.api.present import operator_purchase_out
from gateway.api.schemas import (
    CreditIn,
    CreditOut,
    DiscrepancyOut,
    Money,
    OperatorPurchaseOut,
    OperatorPurchasePath,
    ReconciliationOut,
    UserPath,
    UserStatusOut,
)
from gateway.client_address import client_ip
from gateway.purchases.operator_credit import Actor, CreditOverLimit, operator_credit
from gateway.purchases.reconcile import reconcile_database

ops = Operations("operators", "Back office: needs the `operator` or `admin` role.", role="operator")


@ops.route(
    "POST",
    "/api/v1/operator/wallet-credits",
    summary="Credit a wallet (idempotent by reference)",
    responses={201: CreditOut, 200: CreditOut},
    errors=(409, 422),
)
async def credit_wallet(request: web.Request, principal: Principal, body: CreditIn) -> HttpReply:
    """201 when money moved; 200 when this reference was already credited (nothing moved);
    409 when the reference was used for another phone or amount; 422 `credit_over_limit`
    above the per-credit ceiling (`details.max_amount`). An unknown phone gets an account
    (as on USSD). The journal records who credited and from which address."""
    settings = deps.settings(request)
    ceiling = settings.operator_credit_max
    try:
        credit = await operator_credit(
            deps.purchases(request),
            phone=body.phone,
            amount=body.amount,
            reference=body.reference,
            name=body.name,
            actor=Actor.operator(
                principal.user_id, client_ip(request, settings.trusted_proxy_hops)
            ),
            ceiling=ceiling,
        )
    except CreditOverLimit as exc:
        raise ApiError(
            str(exc),
            status=422,
            code=exc.code,
            details={"max_amount": Money.of(ceiling).model_dump()},
        ) from exc
    out = CreditOut(
        user_id=credit.user_id,
        phone=body.phone,
        balance=Money.of(credit.balance),
        created=credit.created,
    )
    return HttpReply(out, 201 if credit.created else 200)


@ops.route(
    "GET",
    "/api/v1/operator/purchases/{purchase_id}",
    summary="Any purchase, with its provider details",
    responses={200: OperatorPurchaseOut},
)
async def operator_get_purchase(
    request: web.Request, _principal: Principal, path: OperatorPurchasePath
) -> OperatorPurchaseOut:
    """`purchase_id` is the id or the customer's reference (`PL-7KQ2M9XD`, any case)."""
    return operator_purchase_out(await deps.purchases(request).find(path.purchase_id))


@ops.route(
    "POST",
    "/api/v1/operator/purchases/{purchase_id}/requery",
    summary="Ask the provider about a purchase now and settle the answer",
    responses={200: OperatorPurchaseOut},
    errors=(502, 503),
)
async def operator_requery(
    request: web.Request, _principal: Principal, path: OperatorPurchasePath
) -> OperatorPurchaseOut:
    """Never pays again: a requery only reads. Settled purchases come back unchanged (a
    delivered one is still asked, since only a requery may confirm a reversal).
    `purchase_id` is the id or the reference."""
    service = deps.purchases(request)
    found = await service.find(path.purchase_id)  # 404 before any upstream call
    return operator_purchase_out(await service.requery(found.id, deps.vtpass(request)))


@ops.route(
    "GET",
    "/api/v1/operator/reconciliation",
    summary="Check every ledger invariant now",
    responses={200: ReconciliationOut},
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


@ops.route(
    "POST",
    "/api/v1/operator/users/{user_id}/suspend",
    summary="Suspend an account: its tokens stop working now, its sessions end",
    responses={200: UserStatusOut},
    errors=(404, 409),
)
async def suspend_user(request: web.Request, principal: Principal, path: UserPath) -> UserStatusOut:
    """The user's access tokens are refused from the next request, every refresh token is
    revoked, and no channel accepts their purchases. Suspending a suspended account changes
    nothing. Operators may suspend users; admins users and operators; nobody themselves
    (403). 409 for a closed account."""
    return await change_account_status(request, principal, path.user_id, suspend=True)


@ops.route(
    "POST",
    "/api/v1/operator/users/{user_id}/reactivate",
    summary="Reactivate a suspended account (the user logs in again)",
    responses={200: UserStatusOut},
    errors=(404, 409),
)
async def reactivate_user(
    request: web.Request, principal: Principal, path: UserPath
) -> UserStatusOut:
    """Sessions ended by the suspension stay ended. Reactivating an active account changes
    nothing; 409 for a closed account."""
    return await change_account_status(request, principal, path.user_id, suspend=False)
