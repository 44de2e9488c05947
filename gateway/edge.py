"""The one middleware and the one response hook every request passes through.

In order: a request id for the request's log lines; for `/api/...` the API's CORS and error
answers (`gateway.api.middleware`); for any other GET no route matched, the web app's page
when the path is one of its client-side routes (`gateway.web.serve`). On the way out every
response, errors and 404s included, gets the security headers and the request id.

Why one of each rather than a middleware per concern: aiohttp wraps each middleware around
every request, and on the USSD menu hop, which needs none of the API's, four middlewares and
two hooks cost about 5 % of the gateway's work (bench/RESULTS.md).
"""

from __future__ import annotations

from functools import partial

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.api.middleware import (
    add_security_headers,
    cors_middleware,
    error_middleware,
    is_api,
)
from gateway.tracing import add_request_id_header, begin_request, end_request
from gateway.web.serve import WebApp, client_route_page


def edge_middleware(app_files: WebApp) -> Middleware:
    """The app's only middleware; see the module docstring."""

    @web.middleware
    async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = begin_request(request)
        try:
            if is_api(request.path):  # CORS outside errors, so errors carry CORS headers too
                return await cors_middleware(request, partial(error_middleware, handler=handler))
            try:
                return await handler(request)
            except web.HTTPNotFound:
                page = client_route_page(app_files, request)
                if page is None:
                    raise
                return page
        finally:
            end_request(token)

    return edge


async def response_headers(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare`: the security headers and `X-Request-Id` on every response."""
    add_security_headers(request, response)
    add_request_id_header(request, response)
