"""A stateful, assertable stand-in for VTPass behind `httpx.MockTransport` (no patching).

Each path has a queue of scripted replies: an `httpx.Response`, an exception class to raise
(`httpx.ReadTimeout`, ...), or a callable taking the request. When a queue runs dry the path's
default reply is used. Every request is recorded, so tests can assert how often `/pay` was sent.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any, cast

import httpx

Reply = httpx.Response | type[Exception] | Callable[[httpx.Request], httpx.Response]

DELIVERED = {
    "code": "000",
    "response_description": "TRANSACTION SUCCESSFUL",
    "content": {"transactions": {"status": "delivered", "type": "Airtime Recharge", "amount": 100}},
    "amount": 100,
    "transaction_date": "2026-11-27T10:00:00.000000Z",
    "purchased_code": "",
}
CATEGORIES = {
    "response_description": "000",
    "content": [{"identifier": "airtime", "name": "Airtime Recharge"}],
}


def ok(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def raw(content: bytes, status: int = 200, content_type: str = "text/html") -> httpx.Response:
    return httpx.Response(status, content=content, headers={"content-type": content_type})


class FakeVTPass:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self.defaults: dict[str, Reply] = {
            "pay": ok(DELIVERED),
            "requery": ok(DELIVERED),
            "balance": ok({"code": 1, "contents": {"balance": 1000.5}}),
            "service-categories": ok(CATEGORIES),
            "merchant-verify": ok({"code": "000", "content": {"Customer_Name": "TEST METER"}}),
        }

    def script(self, path: str, *replies: Reply) -> None:
        self.scripts[path].extend(replies)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if self.path(r) == path)

    def sent(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if self.path(r) == path]

    def body(self, request: httpx.Request) -> Any:
        return json.loads(request.content)

    @staticmethod
    def path(request: httpx.Request) -> str:
        return request.url.path.removeprefix("/api/")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = self.path(request)
        queue = self.scripts[path]
        reply = queue.popleft() if queue else self.defaults.get(path, ok({}, 404))
        if isinstance(reply, httpx.Response):
            # a Response can only be read once; hand out a copy each time
            return httpx.Response(reply.status_code, content=reply.content, headers=reply.headers)
        if isinstance(reply, type) and issubclass(reply, httpx.RequestError):
            raise reply(f"scripted {reply.__name__}", request=request)
        if isinstance(reply, type) and issubclass(reply, Exception):
            raise reply(f"scripted {reply.__name__}")
        return cast(Callable[[httpx.Request], httpx.Response], reply)(request)


class FakeTime:
    """A monotonic clock moved by hand, for the breaker."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
