"""The caller's transaction history: filtered, ordered, paginated; and one transaction."""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps, queries, times
from gateway.api.auth import Principal
from gateway.api.openapi import Operations
from gateway.api.pagination import links, total_pages
from gateway.api.present import purchase_out
from gateway.api.schemas import Money, PurchaseOut, PurchasePath, TransactionPage, TransactionQuery
from gateway.errors import NotFound

ops = Operations("transactions", "Your purchase history.")


@ops.route(
    "GET",
    "/api/v1/transactions",
    summary="Your transactions, filtered and paginated",
    responses={200: TransactionPage},
)
async def list_transactions(
    request: web.Request, principal: Principal, query: TransactionQuery
) -> TransactionPage:
    """`page_size` is at most 100. `links` keep your filters; `total` and `total_amount` cover
    every match, not just this page (`total_amount` counts only what was paid: refunded
    purchases count nothing). `reference` finds one purchase by its `PL-` reference (the
    receipt's and the USSD acknowledgement's). `created_from`/`created_to` take Lagos calendar days
    (`2026-12-01`, both ends included) or timestamps with a timezone."""
    where = queries.TransactionFilter(
        status=query.status.value if query.status else None,
        category=query.category,
        service_id=query.service_id,
        customer_ref=query.customer_ref,
        reference=query.reference.upper() if query.reference else None,
        created_from=times.lower_bound(query.created_from),
        created_to=times.upper_bound(query.created_to),
    )
    async with deps.db(request)() as session:
        page = await queries.transactions(
            session,
            principal.user_id,
            where,
            ordering=query.ordering.value,
            offset=(query.page - 1) * query.page_size,
            limit=query.page_size,
        )
    return TransactionPage(
        items=[purchase_out(p) for p in page.items],
        page=query.page,
        page_size=query.page_size,
        total=page.total,
        total_pages=total_pages(page.total, query.page_size),
        total_amount=Money.of(page.total_amount),
        links=links(request, query.page, query.page_size, page.total),
    )


@ops.route(
    "GET",
    "/api/v1/transactions/{purchase_id}",
    summary="One of your transactions",
    responses={200: PurchaseOut},
)
async def get_transaction(
    request: web.Request, principal: Principal, path: PurchasePath
) -> PurchaseOut:
    async with deps.db(request)() as session:
        found = await queries.transaction(session, principal.user_id, path.purchase_id)
    if found is None:
        raise NotFound(f"no transaction {path.purchase_id}")
    return purchase_out(found)
