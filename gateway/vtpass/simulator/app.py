"""`create_simulator_app`: routes, middlewares and resource lifetimes of the simulator.

Middleware order matters: errors are rendered outermost; for `/api/` the configured latency is
served before authentication, so even a `087` answer is slow, as a distant server would be.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.vtpass.simulator.api_routes import add_api_routes, read_body
from gateway.vtpass.simulator.config import SimulatorConfig
from gateway.vtpass.simulator.control_routes import add_control_routes, control_errors
from gateway.vtpass.simulator.envelopes import error_body
from gateway.vtpass.simulator.keys import account_key, state_key
from gateway.vtpass.simulator.state import SimulatorState

_API_PREFIX = "/api/"
_PAY_PATH = "/api/pay"


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown paths and wrong methods answer JSON, like everything else here."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response({"error": exc.reason}, status=exc.status)


@web.middleware
async def api_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Spec §B for every `/api/` route: latency first, then credentials or `087`.

    A `/pay` is counted (`/__sim/pay-requests`) as it arrives, so a test can tell a payment
    VTPass has from one still on its way while the answer is held back.

    The body is read before any wait: once a client's connection drops, aiohttp no longer
    hands out what it had received. A `/pay` then runs to its end even if its client goes
    away meanwhile (aiohttp may cancel the handler), as VTPass keeps a payment whose answer
    was lost; a requery finds it.
    """
    if not request.path.startswith(_API_PREFIX):
        return await handler(request)
    if request.can_read_body and request.content_type != "multipart/form-data":
        await request.read()  # kept on the request; multipart is streamed by `post()`
    if request.method == "POST" and request.path == _PAY_PATH:
        state = request.app[state_key]
        state.count_pay(await read_body(request))  # on arrival: before any latency or answer
        return await state.outlive_client(_gated(request, handler))
    return await _gated(request, handler)


async def _gated(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[state_key]
    await state.pause(state.latency_s)
    account = state.accounts.authenticate(request.method, request.headers)
    if account is None:
        return web.json_response(error_body("087"))
    request[account_key] = account
    return await handler(request)


async def _resources_ctx(app: web.Application) -> AsyncIterator[None]:
    """Own the webhook HTTP session, and stop every timer and callback on cleanup."""
    state = app[state_key]
    async with aiohttp.ClientSession() as session:
        state.webhooks.bind(session)
        yield
        await state.close()


async def _wake_sleepers(app: web.Application) -> None:
    # on_shutdown runs before the server waits for handlers, so a request sleeping through the
    # timeout scenario or injected latency finishes now instead of holding shutdown open.
    app[state_key].begin_shutdown()


def create_simulator_app(config: SimulatorConfig) -> web.Application:
    """A VTPass sandbox look-alike under `/api/` plus the test control API under `/__sim/`."""
    app = web.Application(middlewares=[json_errors, control_errors, api_gate])
    app[state_key] = SimulatorState(config)
    app.cleanup_ctx.append(_resources_ctx)
    app.on_shutdown.append(_wake_sleepers)
    add_api_routes(app.router)
    add_control_routes(app.router)
    app.router.add_get("/certificates/{transaction_id}.pdf", certificate)
    return app


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


async def certificate(request: web.Request) -> web.Response:
    """A placeholder PDF behind the `certUrl` of a delivered ui-insure purchase."""
    wanted = request.match_info["transaction_id"]
    state = request.app[state_key]
    if not any(t.transaction_id == wanted for t in state.transactions.values()):
        raise web.HTTPNotFound(reason="no such certificate")
    return web.Response(body=_PDF, content_type="application/pdf")
