"""The test-only control API under `/__sim/` (spec §I); not part of VTPass.

Accounts are named by `api_key`; when it is omitted the first configured account is meant.
Errors answer `{"error": "..."}` with 400 (bad input), 404 (unknown id) or 409 (wrong state).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.vtpass.simulator.accounts import AccountState
from gateway.vtpass.simulator.amounts import json_number, parse_naira
from gateway.vtpass.simulator.api_routes import read_body
from gateway.vtpass.simulator.envelopes import DESCRIPTIONS
from gateway.vtpass.simulator.fields import JSONObject
from gateway.vtpass.simulator.keys import state_key
from gateway.vtpass.simulator.listings import variations_update_body
from gateway.vtpass.simulator.products import Variation
from gateway.vtpass.simulator.state import NextPay, SimulatorState, StoreAs
from gateway.vtpass.simulator.transactions import Status, Transaction

_FINAL = {"delivered": Status.DELIVERED, "failed": Status.FAILED, "reversed": Status.REVERSED}
_STORE_AS: dict[str, StoreAs] = {
    "delivered": "delivered",
    "pending": "pending",
    "failed": "failed",
    "none": "none",
}
# What each forced code stores when `store_as` is not given.
_DEFAULT_STORE_AS: dict[str, StoreAs] = {"083": "delivered", "089": "pending", "099": "pending"}


class _BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def add_control_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/__sim/reset", reset)
    router.add_get("/__sim/clock", get_clock)
    router.add_post("/__sim/clock", set_clock)
    router.add_get("/__sim/accounts", accounts)
    router.add_post("/__sim/balance", set_balance)
    router.add_post("/__sim/whitelist", set_whitelist)
    router.add_post("/__sim/callback", set_callback)
    router.add_post("/__sim/latency", set_latency)
    router.add_post("/__sim/resolve", resolve)
    router.add_post("/__sim/reverse", reverse)
    router.add_post("/__sim/next-pay", next_pay)
    router.add_post("/__sim/variations-update", variations_update)
    router.add_get("/__sim/transactions", transactions)
    router.add_get("/__sim/pay-requests", pay_requests)
    router.add_get("/__sim/webhooks", webhooks)


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render `_BadRequest` as JSON for the control routes."""
    try:
        return await handler(request)
    except _BadRequest as exc:
        return web.json_response({"error": str(exc)}, status=exc.status)


def _state(request: web.Request) -> SimulatorState:
    return request.app[state_key]


async def _body(request: web.Request) -> Mapping[str, Any]:
    if not request.can_read_body:
        return {}
    body = await read_body(request)
    if body is None:
        raise _BadRequest("the body must be a JSON object")
    return body


def _account(state: SimulatorState, body: Mapping[str, Any]) -> AccountState:
    api_key = body.get("api_key")
    if api_key is None:
        return state.accounts.default
    account = state.accounts.get(str(api_key))
    if account is None:
        raise _BadRequest("no account has that api_key", 404)
    return account


def _transaction(state: SimulatorState, body: Mapping[str, Any]) -> Transaction:
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        raise _BadRequest("request_id is required")
    txn = state.transactions.get(request_id)
    if txn is None:
        raise _BadRequest("no stored transaction has that request_id", 404)
    return txn


def _account_json(account: AccountState) -> JSONObject:
    return {
        "index": account.index,
        "email": account.config.email,
        "balance": json_number(account.balance),
        "whitelist": sorted(account.whitelist) if account.whitelist is not None else None,
        "callback_url": account.callback_url,
        "auth_type": account.config.auth_type,
    }


def _transaction_json(txn: Transaction) -> JSONObject:
    return {
        "request_id": txn.request_id,
        "account": txn.account_index,
        "service_id": txn.service.service_id,
        "variation_code": txn.variation_code,
        "status": txn.status.value,
        "scenario": txn.scenario.value,
        "unique_element": txn.unique_element,
        "phone": txn.phone,
        "billers_code": txn.billers_code,
        "subscription_type": txn.subscription_type,
        "quantity": txn.quantity,
        "unit_price": json_number(txn.unit_price),
        "amount": json_number(txn.amount),
        "commission": json_number(txn.commission),
        "convinience_fee": json_number(txn.convenience_fee),
        "total_amount": json_number(txn.total_amount),
        "transaction_id": txn.transaction_id,
        "created_at": txn.created_at.isoformat(),
        "updated_at": txn.updated_at.isoformat() if txn.updated_at else None,
        "purchased_code": txn.purchased_code,
        "wallet_credit_id": txn.wallet_credit_id,
    }


async def reset(request: web.Request) -> web.Response:
    await _state(request).reset()
    return web.json_response({"ok": True})


async def get_clock(request: web.Request) -> web.Response:
    return web.json_response({"now": _state(request).clock.now().isoformat()})


async def set_clock(request: web.Request) -> web.Response:
    body = await _body(request)
    text = body.get("iso")
    try:
        at = datetime.fromisoformat(str(text))
    except ValueError:
        raise _BadRequest("iso must be an ISO-8601 datetime") from None
    if at.tzinfo is None:
        raise _BadRequest("iso needs a timezone (e.g. Z or +01:00)")
    state = _state(request)
    state.clock.set(at)
    return web.json_response({"ok": True, "now": state.clock.now().isoformat()})


async def accounts(request: web.Request) -> web.Response:
    return web.json_response({"accounts": [_account_json(a) for a in _state(request).accounts]})


async def set_balance(request: web.Request) -> web.Response:
    body = await _body(request)
    account = _account(_state(request), body)
    amount = parse_naira(body.get("balance"))
    if amount is None:
        raise _BadRequest("balance must be a naira amount")
    account.balance = amount
    return web.json_response({"ok": True, "account": _account_json(account)})


async def set_whitelist(request: web.Request) -> web.Response:
    body = await _body(request)
    account = _account(_state(request), body)
    products = body.get("products")
    if products is None:
        account.whitelist = None
    elif isinstance(products, list) and all(isinstance(p, str) for p in products):
        account.whitelist = frozenset(products)
    else:
        raise _BadRequest("products must be a list of serviceIDs, or null for all")
    return web.json_response({"ok": True, "account": _account_json(account)})


async def set_callback(request: web.Request) -> web.Response:
    body = await _body(request)
    account = _account(_state(request), body)
    url = body.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise _BadRequest("url must be an http(s) URL, or null to stop callbacks")
    account.callback_url = url
    return web.json_response({"ok": True, "account": _account_json(account)})


async def set_latency(request: web.Request) -> web.Response:
    body = await _body(request)
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise _BadRequest("seconds must be a non-negative number")
    state = _state(request)
    state.latency_s = float(seconds)
    return web.json_response({"ok": True, "seconds": state.latency_s})


async def resolve(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    txn = _transaction(state, body)
    status = _FINAL.get(str(body.get("status", "")))
    if status is None:
        raise _BadRequest("status must be delivered, failed or reversed")
    if not state.settle(txn, status):
        raise _BadRequest(f"transaction is {txn.status.value}, not pending", 409)
    return web.json_response({"ok": True, "transaction": _transaction_json(txn)})


async def reverse(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    txn = _transaction(state, body)
    if not state.reverse(txn):
        raise _BadRequest(f"transaction is {txn.status.value}, not delivered", 409)
    return web.json_response({"ok": True, "transaction": _transaction_json(txn)})


async def next_pay(request: web.Request) -> web.Response:
    """Force the next valid `/pay` answer, e.g. HTTP 500 `083` over a delivered purchase."""
    body = await _body(request)
    code = body.get("code")
    if not isinstance(code, str) or not code:
        raise _BadRequest('code is required, e.g. "083"')
    status = body.get("http_status", 500 if code == "083" else 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise _BadRequest("http_status must be an HTTP status code")
    store_as = _STORE_AS.get(str(body.get("store_as", _DEFAULT_STORE_AS.get(code, "none"))))
    if store_as is None:
        raise _BadRequest("store_as must be delivered, pending, failed or none")
    answer = body.get("body")
    if answer is None:
        answer = _forced_body(code)
    elif not isinstance(answer, dict):
        raise _BadRequest("body must be a JSON object")
    times = body.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise _BadRequest("times must be a positive integer")
    state = _state(request)
    for _ in range(times):
        state.next_pay.append(NextPay(body=answer, http_status=status, store_as=store_as))
    return web.json_response(
        {"ok": True, "queued": len(state.next_pay), "store_as": store_as, "body": answer}
    )


def _forced_body(code: str) -> JSONObject:
    if code == "083":
        return {"code": "083", "content": {"errors": []}}
    return {
        "code": code,
        "response_description": DESCRIPTIONS.get(code, ""),
        "content": {"errors": []},
    }


async def variations_update(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    service_id = str(body.get("serviceID", ""))
    service = state.plans.service(service_id)
    if service is None:
        raise _BadRequest("unknown serviceID", 404)
    plans = _variations(body.get("new_variations"))
    change = state.plans.replace(service_id, plans)
    fee = state.config.convenience_fees.get(service_id, Decimal(0))
    update = variations_update_body(service, plans, fee, change)
    sent = [
        state.webhooks.send(a.callback_url, update).id for a in state.accounts if a.callback_url
    ]
    return web.json_response({"ok": True, "update": update, "deliveries": sent})


def _variations(raw: object) -> list[Variation]:
    if not isinstance(raw, list):
        raise _BadRequest("new_variations must be a list")
    plans = []
    for item in raw:
        if not isinstance(item, dict):
            raise _BadRequest("each variation must be an object")
        code, name = item.get("variation_code"), item.get("name")
        amount = parse_naira(item.get("variation_amount"))
        if not isinstance(code, str) or not isinstance(name, str) or amount is None:
            raise _BadRequest("each variation needs variation_code, name and variation_amount")
        fixed = str(item.get("fixedPrice", "Yes")).lower() != "no"
        plans.append(Variation(code, name, amount, fixed))
    return plans


async def transactions(request: web.Request) -> web.Response:
    state = _state(request)
    wanted = request.query.get("request_id")
    rows = [
        _transaction_json(t)
        for t in state.transactions.values()
        if wanted is None or t.request_id == wanted
    ]
    return web.json_response({"transactions": rows})


async def pay_requests(request: web.Request) -> web.Response:
    """How many `/pay` requests named each request_id, repeats (refused, unstored) included."""
    counts = _state(request).pay_requests
    wanted = request.query.get("request_id")
    shown = counts if wanted is None else {wanted: counts[wanted]}
    return web.json_response({"pay_requests": dict(shown)})


async def webhooks(request: web.Request) -> web.Response:
    deliveries = _state(request).webhooks.deliveries
    return web.json_response({"deliveries": [d.to_json() for d in deliveries]})
