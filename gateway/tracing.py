"""A request id for every hop and request: on each of its log lines, and as `X-Request-Id`.

The id comes from a proxy's `X-Request-Id` when it sent a sane one (nginx's `$request_id`), so
one id follows a request from the edge to our logs; otherwise a fresh one is made. It is set in
`gateway.logs.request_id` for the request's task (tasks it starts inherit it: a purchase's
vend started by a hop logs under that hop's id) and echoed on the response, errors included,
so a customer's or AT's complaint can be matched to the lines it left.
"""

from __future__ import annotations

import random
import re
from contextvars import Token

from aiohttp import web

from gateway.logs import request_id

HEADER = "X-Request-Id"
_GIVEN = re.compile(r"[A-Za-z0-9._:-]{8,64}")  # no spaces, no quotes: safe on a log line
_KEY = web.RequestKey("request_id", str)


def new_request_id() -> str:
    """16 hex digits from the `random` module: unique enough to find a request's lines, and no
    system call per request (an id is not a secret; the module's generator is reseeded in a
    forked child, so processes do not repeat each other's ids)."""
    return f"{random.getrandbits(64):016x}"


def begin_request(request: web.Request) -> Token[str]:
    """Give `request` its id, for every line it logs; `end_request` with the token after."""
    given = request.headers.get(HEADER)
    rid = given if given is not None and _GIVEN.fullmatch(given) else new_request_id()
    request[_KEY] = rid
    return request_id.set(rid)


def end_request(token: Token[str]) -> None:
    request_id.reset(token)


def add_request_id_header(request: web.Request, response: web.StreamResponse) -> None:
    """For `on_response_prepare`: the id on every response, streamed and error ones included."""
    rid = request.get(_KEY)
    if rid is not None:
        response.headers[HEADER] = rid
