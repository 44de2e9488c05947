"""A small VTPass-speaking test client over the `simulator` fixture, and a webhook receiver."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiohttp import web

from gateway.clock import LAGOS, FixedClock
from gateway.vtpass.simulator import RunningSimulator

GET_HEADERS = "get"
POST_HEADERS = "post"


class SimClient:
    """Authenticated VTPass calls plus the control API, with today's request ids."""

    def __init__(self, http: httpx.AsyncClient, sim: RunningSimulator, clock: FixedClock) -> None:
        self.http = http
        self.sim = sim
        self.clock = clock
        account = sim.config.accounts[0]
        self.get_headers = {"api-key": account.api_key, "public-key": account.public_key}
        self.post_headers = {"api-key": account.api_key, "secret-key": account.secret_key}
        self._ids = itertools.count(1)

    def request_id(self, suffix: str | None = None) -> str:
        stamp = self.clock.now().astimezone(LAGOS).strftime("%Y%m%d%H%M")
        return f"{stamp}{suffix or f'test{next(self._ids):06d}'}"

    async def get(self, path: str, **params: str) -> Any:
        response = await self.http.get(
            self.sim.base_url + path, params=params, headers=self.get_headers
        )
        assert response.headers["content-type"].startswith("application/json")
        return response.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self.http.post(
            self.sim.base_url + path, json=body, headers=self.post_headers
        )
        assert response.headers["content-type"].startswith("application/json")
        return response.json()

    async def pay(self, **fields: Any) -> Any:
        fields.setdefault("request_id", self.request_id())
        return await self.post("pay", fields)

    async def requery(self, request_id: str) -> Any:
        return await self.post("requery", {"request_id": request_id})

    async def balance(self) -> Decimal:
        body = await self.get("balance")
        return Decimal(str(body["contents"]["balance"]))

    async def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.sim.root_url}__sim/{path}"
        if body is None and path in {"transactions", "webhooks", "clock", "accounts"}:
            response = await self.http.get(url)
        else:
            response = await self.http.post(url, json=body or {})
        return response.json()

    async def stored(self, request_id: str) -> dict[str, Any]:
        rows = (await self.control("transactions"))["transactions"]
        return next(r for r in rows if r["request_id"] == request_id)

    async def stored_count(self) -> int:
        return len((await self.control("transactions"))["transactions"])


@pytest.fixture
async def vt(simulator: RunningSimulator, sim_clock: FixedClock) -> AsyncIterator[SimClient]:
    async with httpx.AsyncClient(timeout=10.0) as http:
        yield SimClient(http, simulator, sim_clock)


@dataclass
class Receiver:
    """A callback endpoint that fails its first `failures` calls, then acknowledges."""

    url: str = ""
    failures: int = 0
    answer: Callable[[int], web.Response] | None = None
    bodies: list[dict[str, Any]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        if self.answer is not None:
            return self.answer(len(self.bodies))
        if len(self.bodies) <= self.failures:
            return web.json_response({"response": "try later"}, status=500)
        return web.json_response({"response": "success"})


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/vtpass", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/vtpass"
    yield hook
    await runner.cleanup()
