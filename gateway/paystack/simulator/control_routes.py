"""The test-only control API under `/__sim/` (spec §C, F, H): not part of Paystack.

Errors answer `{"error": "..."}` with 400 (bad input) or 404 (unknown id).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.paystack.simulator.keys import state_key
from gateway.paystack.simulator.state import PaystackState, SimulatorError


def _state(request: web.Request) -> PaystackState:
    return request.app[state_key]


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise SimulatorError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise SimulatorError(400, "the body must be a JSON object")
    return body


def _kobo(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise SimulatorError(400, f"{name} must be a positive integer of kobo")
    return value


@web.middleware
async def control_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)  # type: ignore[no-any-return]
    except SimulatorError as exc:
        return web.json_response({"error": str(exc)}, status=exc.status)


async def checkout(request: web.Request) -> web.Response:
    """Complete a checkout by reference (or access code): success, failed or abandon."""
    state, body = _state(request), await _body(request)
    wanted = request.match_info["reference"]
    txn = state.transactions.get(wanted) or state.by_access.get(wanted)
    if txn is None:
        raise SimulatorError(404, "no transaction has that reference")
    outcome = str(body.get("outcome", "success"))
    if outcome not in ("success", "failed", "abandon"):
        raise SimulatorError(400, "outcome must be success, failed or abandon")
    override = body.get("amount_override")
    charged = None if override is None else _kobo(override, "amount_override")
    card = body.get("card")
    state.complete_checkout(txn, outcome, card if isinstance(card, str) else None, charged)
    return web.json_response({"ok": True, "transaction": txn.to_json()})


async def transfer(request: web.Request) -> web.Response:
    """A bank transfer into a dedicated account; `deliver: "never"` keeps its webhook back."""
    body = await _body(request)
    number = body.get("account_number")
    if not isinstance(number, str):
        raise SimulatorError(400, "account_number is required")
    deliver = str(body.get("deliver", "now"))
    if deliver not in ("now", "never"):
        raise SimulatorError(400, "deliver must be now or never")
    txn = _state(request).transfer(
        number,
        _kobo(body.get("amount"), "amount"),
        str(body.get("sender_name") or "ADA OBI"),
        deliver=deliver == "now",
    )
    return web.json_response({"ok": True, "transaction": txn.to_json()})


async def webhooks(request: web.Request) -> web.Response:
    deliveries = _state(request).webhooks.deliveries
    return web.json_response({"webhooks": [d.to_json() for d in deliveries]})


async def webhook_mode(request: web.Request) -> web.Response:
    """`{"mode": "deliver" | "drop"}` and optionally `{"url": ...}` (where events go)."""
    body, dispatcher = await _body(request), _state(request).webhooks
    mode = body.get("mode", dispatcher.mode)
    if mode not in ("deliver", "drop"):
        raise SimulatorError(400, "mode must be deliver or drop")
    dispatcher.mode = str(mode)
    if "url" in body:
        url = body["url"]
        if url is not None and not (isinstance(url, str) and url.startswith("http")):
            raise SimulatorError(400, "url must be an http(s) URL or null")
        dispatcher.url = url
    return web.json_response({"ok": True, "mode": dispatcher.mode, "url": dispatcher.url})


async def redeliver(request: web.Request) -> web.Response:
    """The same event, same bytes and signature, `times` more (`concurrent` or in turn)."""
    body, dispatcher = await _body(request), _state(request).webhooks
    wanted = request.match_info["delivery_id"]
    found = next((d for d in dispatcher.deliveries if str(d.id) == wanted), None)
    if found is None:
        raise SimulatorError(404, "no delivery has that id")
    times = body.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 100:
        raise SimulatorError(400, "times must be 1 to 100")
    dispatcher.redeliver(found, times, concurrent=bool(body.get("concurrent", False)))
    return web.json_response({"ok": True})


async def faults(request: web.Request) -> web.Response:
    """`{"path": "/transaction/verify", "status": 500, "count": 2}`: the next calls fail."""
    body = await _body(request)
    path, status, count = body.get("path"), body.get("status"), body.get("count", 1)
    if not isinstance(path, str) or not path.startswith("/"):
        raise SimulatorError(400, "path must start with /")
    if status not in (429, 500, 502, 503, 504) or not isinstance(count, int) or count < 0:
        raise SimulatorError(400, "status must be 429 or 5xx and count a whole number")
    _state(request).faults[path] = [status, count]
    return web.json_response({"ok": True})


async def transactions(request: web.Request) -> web.Response:
    found = _state(request).transactions.values()
    return web.json_response({"transactions": [t.to_json() for t in found]})


async def refund(request: web.Request) -> web.Response:
    """A refund (or chargeback) of a paid transaction, as if made on the dashboard."""
    body, state = await _body(request), _state(request)
    txn = state.transactions.get(str(body.get("reference")))
    if txn is None:
        raise SimulatorError(404, "no transaction has that reference")
    amount = body.get("amount")
    data = state.refund(txn.key, txn.reference, None if amount is None else _kobo(amount, "amount"))
    return web.json_response({"ok": True, "refund": data})


async def reset(request: web.Request) -> web.Response:
    _state(request).reset()
    return web.json_response({"ok": True})


def add_control_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/__sim/checkout/{reference}", checkout)
    router.add_post("/__sim/transfers", transfer)
    router.add_get("/__sim/webhooks", webhooks)
    router.add_post("/__sim/webhooks", webhook_mode)
    router.add_post("/__sim/webhooks/{delivery_id}/redeliver", redeliver)
    router.add_post("/__sim/faults", faults)
    router.add_get("/__sim/transactions", transactions)
    router.add_post("/__sim/refunds", refund)
    router.add_post("/__sim/reset", reset)
