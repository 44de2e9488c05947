"""The Paystack client's aiohttp transport: httpx's answers and httpx's errors, as before."""

from __future__ import annotations

import asyncio
import gzip
import json

import httpx
import pytest
from aiohttp import web

from gateway.errors import OutcomeUnknown, UpstreamUnavailable
from gateway.paystack.client import PaystackClient
from gateway.paystack.transport import AiohttpTransport
from tests.resilience.processes import free_port

ANSWER = {"status": True, "message": "ok", "data": {"n": 1}}


async def gzipped(request: web.Request) -> web.Response:
    body = gzip.compress(json.dumps({**ANSWER, "sent": request.headers["X-Seen"]}).encode())
    return web.Response(
        body=body, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )


async def slow(_request: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.json_response(ANSWER)


@pytest.fixture
async def server(aiohttp_server):
    app = web.Application()
    app.router.add_get("/gzip", gzipped)
    app.router.add_get("/slow", slow)
    return await aiohttp_server(app)


async def test_a_compressed_answer_reads_as_httpx_would_read_it(server):
    async with httpx.AsyncClient(transport=AiohttpTransport()) as http:
        answer = await http.get(str(server.make_url("/gzip")), headers={"X-Seen": "yes"})

    assert answer.status_code == 200
    assert answer.json() == {**ANSWER, "sent": "yes"}
    assert answer.headers["content-type"] == "application/json"


async def test_nobody_listening_is_upstream_unavailable():
    client = PaystackClient(f"http://127.0.0.1:{free_port()}", "sk_test_x")
    try:
        with pytest.raises(UpstreamUnavailable):
            await client.verify("PLF-NOBODY")
    finally:
        await client.aclose()


async def test_no_answer_in_time_is_outcome_unknown(server):
    client = PaystackClient(str(server.make_url("")), "sk_test_x", timeout_s=0.2, read_retries=0)
    try:
        with pytest.raises(OutcomeUnknown):
            await client._call("GET", "/slow", "slow")
    finally:
        await client.aclose()
