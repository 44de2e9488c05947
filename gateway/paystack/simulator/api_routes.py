"""Paystack's own paths (spec §A-D, G, I): bearer key, §1 envelope, injected faults."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.paystack.simulator.keys import key_key, state_key
from gateway.paystack.simulator.state import PROVIDERS, PaystackState, SimulatorError

_OPEN_PREFIXES = ("/__sim/", "/checkout/")


def ok(message: str, data: Any, status: int = 200, **extra: Any) -> web.Response:
    return web.json_response(
        {"status": True, "message": message, "data": data, **extra}, status=status
    )


@web.middleware
async def paystack_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Faults first, then the bearer key (§A); refusals in Paystack's error shape."""
    if request.path.startswith(_OPEN_PREFIXES):
        return await handler(request)
    state: PaystackState = request.app[state_key]
    fault = state.fault_for(request.path)
    if fault is not None:
        return web.json_response({"status": False, "message": "Simulated fault"}, status=fault)
    header = request.headers.get("Authorization", "")
    key = header.removeprefix("Bearer ").strip()
    if not header.startswith("Bearer ") or key not in state.config.secret_keys:
        return web.json_response({"status": False, "message": "Invalid key"}, status=401)
    request[key_key] = key
    try:
        return await handler(request)
    except SimulatorError as exc:
        return web.json_response(exc.body(), status=exc.status)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise SimulatorError(400, "Invalid JSON body") from None
    if not isinstance(body, dict):
        raise SimulatorError(400, "Invalid JSON body")
    return body


def _state(request: web.Request) -> PaystackState:
    return request.app[state_key]


async def initialize(request: web.Request) -> web.Response:
    txn = _state(request).initialize(request[key_key], await _json(request))
    root = str(request.url.origin())
    data = {
        "authorization_url": f"{root}/checkout/{txn.access_code}",
        "access_code": txn.access_code,
        "reference": txn.reference,
    }
    return ok("Authorization URL created", data)


async def verify(request: web.Request) -> web.Response:
    state = _state(request)
    txn = state.transactions.get(request.match_info["reference"])
    if txn is None or txn.key != request[key_key]:
        status = state.config.unknown_reference_status
        raise SimulatorError(status, "Transaction reference not found")
    return ok("Verification successful", txn.to_json())


async def list_transactions(request: web.Request) -> web.Response:
    state, query = _state(request), request.query
    since = _when(query.get("from"))
    found = [
        t
        for t in state.transactions.values()
        if t.key == request[key_key]
        and (not query.get("status") or t.status == query["status"])
        and (since is None or t.created_at >= since)
    ]
    found.sort(key=lambda t: t.id, reverse=True)
    per_page = max(1, min(int(query.get("perPage", "50") or 50), 1000))
    page = max(1, int(query.get("page", "1") or 1))
    items = found[(page - 1) * per_page : page * per_page]
    meta = {
        "total": len(found),
        "skipped": (page - 1) * per_page,
        "perPage": per_page,
        "page": page,
        "pageCount": max(1, -(-len(found) // per_page)),
    }
    return ok("Transactions retrieved", [t.to_json() for t in items], meta=meta)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SimulatorError(400, "Invalid from date", "invalid_params") from None


async def create_customer(request: web.Request) -> web.Response:
    body = await _json(request)
    email = body.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SimulatorError(400, "Email Address is required", "missing_params")
    names = {k: body.get(k) for k in ("first_name", "last_name", "phone")}
    customer = _state(request).customer(request[key_key], email, **names)
    for name, value in names.items():
        if value and not getattr(customer, name):
            setattr(customer, name, value)
    return ok("Customer created", customer.to_json())


async def fetch_customer(request: web.Request) -> web.Response:
    state, wanted = _state(request), request.match_info["code"]
    for customer in state.customers.values():
        if wanted in (customer.code, customer.email) and customer.key == request[key_key]:
            account = next((a for a in state.accounts.values() if a.customer is customer), None)
            data = {**customer.to_json(), "dedicated_account": account and account.to_json()}
            return ok("Customer retrieved", data)
    raise SimulatorError(404, "Customer not found")


async def create_dedicated_account(request: web.Request) -> web.Response:
    body = await _json(request)
    account = _state(request).open_account(
        request[key_key], str(body.get("customer", "")), str(body.get("preferred_bank", ""))
    )
    return ok("NUBAN successfully created", account.to_json())


async def providers(_request: web.Request) -> web.Response:
    data = [
        {"provider_slug": slug, "bank_id": bank_id, "bank_name": name, "id": n}
        for n, (slug, (name, bank_id)) in enumerate(PROVIDERS.items(), start=1)
    ]
    return ok("Dedicated account providers retrieved", data)


async def refund(request: web.Request) -> web.Response:
    body = await _json(request)
    amount = body.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise SimulatorError(400, "Invalid amount", "invalid_params")
    data = _state(request).refund(request[key_key], body.get("transaction"), amount)
    return ok("Refund has been queued for processing", data)


def add_api_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/transaction/initialize", initialize)
    router.add_get("/transaction/verify/{reference}", verify)
    router.add_get("/transaction", list_transactions)
    router.add_post("/customer", create_customer)
    router.add_get("/customer/{code}", fetch_customer)
    router.add_get("/dedicated_account/available_providers", providers)
    router.add_post("/dedicated_account", create_dedicated_account)
    router.add_post("/refund", refund)
