"""The VTPass endpoints under `/api/`: thin handlers over `pay`, `verify` and the state.

Every answer is JSON with HTTP 200 unless a sandbox scenario says otherwise; authentication
already ran in the middleware (`app.py`), which put the caller's account on the request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aiohttp import web

from gateway.vtpass.simulator.amounts import json_number
from gateway.vtpass.simulator.envelopes import (
    invalid_arguments,
    pay_body,
    requery_body,
    unknown_request_id,
)
from gateway.vtpass.simulator.fields import text_field
from gateway.vtpass.simulator.insurance import insurance_options
from gateway.vtpass.simulator.keys import account_key, state_key
from gateway.vtpass.simulator.listings import (
    categories_body,
    services_body,
    unknown_service_variations,
    variations_body,
)
from gateway.vtpass.simulator.pay import Rejected, check_pay
from gateway.vtpass.simulator.state import SimulatorState
from gateway.vtpass.simulator.transactions import Scenario, Status, Transaction

_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def add_api_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/api/service-categories", service_categories)
    router.add_get("/api/services", services)
    router.add_get("/api/service-variations", service_variations)
    router.add_get("/api/balance", balance)
    router.add_get("/api/universal-insurance/options/{option}", insurance)
    router.add_get("/api/universal-insurance/options/{option}/{parent}", insurance)
    router.add_post("/api/merchant-verify", merchant_verify)
    router.add_post("/api/merchant-verify/smile/{lookup:email|phone}", smile_verify)
    router.add_post("/api/pay", pay)
    router.add_post("/api/requery", requery)


def _state(request: web.Request) -> SimulatorState:
    return request.app[state_key]


def _json(body: object, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


async def read_body(request: web.Request) -> Mapping[str, Any] | None:
    """The request's JSON object (or form fields, which older clients post), else None."""
    if request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.post()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        body = json.loads(await request.text())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


async def service_categories(_request: web.Request) -> web.Response:
    return _json(categories_body())


async def services(request: web.Request) -> web.Response:
    state = _state(request)
    identifier = request.query.get("identifier", "")
    found = state.plans.services_in(identifier)
    config = state.config
    return _json(services_body(identifier, found, config.limits, config.convenience_fees))


async def service_variations(request: web.Request) -> web.Response:
    state = _state(request)
    service = state.plans.service(request.query.get("serviceID", ""))
    if service is None:
        return _json(unknown_service_variations())
    fee = state.config.convenience_fees.get(service.service_id, Decimal(0))
    return _json(variations_body(service, state.plans.variations(service.service_id), fee))


async def balance(request: web.Request) -> web.Response:
    account = request[account_key]
    return _json({"code": 1, "contents": {"balance": json_number(account.balance)}})


async def insurance(request: web.Request) -> web.Response:
    body = insurance_options(request.match_info["option"], request.match_info.get("parent"))
    if body is None:
        return _json({"response_description": "011", "content": []})
    return _json(body)


async def merchant_verify(request: web.Request) -> web.Response:
    body = await read_body(request)
    if body is None:
        return _json(invalid_arguments(["request body must be a JSON object"]))
    state = _state(request)
    return _json(state.verifier.verify(body, state.clock.now()))


async def smile_verify(request: web.Request) -> web.Response:
    body = await read_body(request)
    if body is None:
        return _json(invalid_arguments(["request body must be a JSON object"]))
    account = text_field(body, "billersCode")
    if account is None:
        return _json(invalid_arguments(["billersCode"]))
    return _json(_state(request).verifier.smile(account))


async def pay(request: web.Request) -> web.StreamResponse:
    body = await read_body(request)
    if body is None:
        return _json(invalid_arguments(["request body must be a JSON object"]))
    state = _state(request)
    account = request[account_key]
    decision = check_pay(state, account, body)
    if isinstance(decision, Rejected):
        return _json(decision.body)
    origin = f"{request.scheme}://{request.host}"
    override = state.take_next_pay()
    if override is not None:
        if override.store_as != "none":
            state.record(decision, account, origin=origin, status=Status(override.store_as))
        return _json(override.body, status=override.http_status)
    txn = state.record(decision, account, origin=origin)
    return await _answer(request, state, txn)


async def _answer(
    request: web.Request, state: SimulatorState, txn: Transaction
) -> web.StreamResponse:
    """The HTTP answer the transaction's sandbox scenario calls for (spec §E step 10)."""
    config = state.config
    scenario = txn.scenario
    if scenario == Scenario.UNEXPECTED:
        if config.unexpected_mode == "html":
            return web.Response(status=502, text=_BAD_GATEWAY_HTML, content_type="text/html")
        if config.unexpected_mode == "unknown_code":
            return _json({"code": "777"})
        return _json({"code": "000", "response_description": "UNEXPECTED RESPONSE"})
    if scenario == Scenario.NO_RESPONSE:
        if config.no_response_mode == "empty":
            return web.Response(status=200, body=b"", content_type="application/json")
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=200)  # never written: the connection is already closed
    if scenario == Scenario.TIMEOUT:
        body = pay_body(txn, config.response_date_format)  # the pending answer, as stored
        await state.pause(config.timeout_delay_s)
        return _json(body)
    return _json(pay_body(txn, config.response_date_format))


async def requery(request: web.Request) -> web.Response:
    body = await read_body(request)
    if body is None:
        return _json(invalid_arguments(["request body must be a JSON object"]))
    request_id = text_field(body, "request_id")
    if request_id is None:
        return _json(invalid_arguments(["request_id"]))
    state = _state(request)
    txn = state.find(request[account_key], request_id)
    if txn is None:
        return _json(unknown_request_id())
    config = state.config
    return _json(requery_body(txn, config.response_date_format, config.reversed_code))
