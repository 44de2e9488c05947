"""The caller's wallet: balance and ledger statement."""

from __future__ import annotations

from aiohttp import web

from gateway.api import deps, queries
from gateway.api.auth import Principal
from gateway.api.openapi import Operations
from gateway.api.pagination import links, total_pages
from gateway.api.present import statement_line_out
from gateway.api.schemas import Money, PageQuery, StatementPage, WalletOut
from gateway.errors import NotFound
from gateway.store import users
from gateway.store.users import UserRef

ops = Operations("wallet", "Your wallet balance and its ledger lines.")


async def _me(request: web.Request, principal: Principal) -> UserRef:
    async with deps.db(request)() as session:
        user = await users.get(session, principal.user_id)
    if user is None:
        raise NotFound("no such user")
    return user


@ops.route("GET", "/api/v1/wallet", summary="Your balance", responses={200: WalletOut})
async def get_wallet(request: web.Request, principal: Principal) -> WalletOut:
    user = await _me(request, principal)
    async with deps.db(request)() as session:
        balance = await queries.wallet_balance(session, user.account_id)
    return WalletOut(balance=Money.of(balance))


@ops.route(
    "GET",
    "/api/v1/wallet/statement",
    summary="Your ledger lines, newest first",
    responses={200: StatementPage},
)
async def get_statement(
    request: web.Request, principal: Principal, query: PageQuery
) -> StatementPage:
    """Every credit and debit of your wallet: top-ups, purchases, refunds."""
    user = await _me(request, principal)
    async with deps.db(request)() as session:
        page = await queries.statement(
            session,
            user.account_id,
            offset=(query.page - 1) * query.page_size,
            limit=query.page_size,
        )
    return StatementPage(
        items=[statement_line_out(line) for line in page.items],
        page=query.page,
        page_size=query.page_size,
        total=page.total,
        total_pages=total_pages(page.total, query.page_size),
        links=links(request, query.page, query.page_size, page.total),
    )
