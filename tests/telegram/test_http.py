"""PTB's Bot API requests over aiohttp: transport failures become PTB's own errors."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest

from gateway.channels.telegram_http import AiohttpRequest


@pytest.fixture
async def request_():
    made = AiohttpRequest(read_timeout=0.2)
    await made.initialize()
    try:
        yield made
    finally:
        await made.shutdown()


async def test_a_bot_api_that_answers_too_late_times_out(request_, aiohttp_server):
    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/botX/getMe", slow)
    server = await aiohttp_server(app)
    with pytest.raises(TimedOut):
        await request_.post(str(server.make_url("/botX/getMe")))


async def test_a_bot_api_that_cannot_be_reached_is_a_network_error(request_):
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(NetworkError) as raised:
        await request_.post(f"http://127.0.0.1:{port}/botX/getMe")
    assert not isinstance(raised.value, TimedOut)


async def test_a_request_before_initialize_is_refused():
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps what we raise
        await AiohttpRequest().post("http://127.0.0.1:9/botX/getMe")


@pytest.mark.parametrize(
    "payload",
    [
        b'{"ok": true, "result": {"message_id": 7, "text": "\\u20a6500.00 \xe2\x82\xa6"}}',
        b'{"ok": false, "error_code": 429, "parameters": {"retry_after": 3}}',
        b'{"ok": true, "result": "\xff broken utf-8"}',
    ],
)
def test_bot_api_answers_are_parsed_as_python_telegram_bot_parses_them(payload):
    assert AiohttpRequest.parse_json_payload(payload) == BaseRequest.parse_json_payload(payload)


def test_an_answer_that_is_not_json_is_python_telegram_bots_error():
    with pytest.raises(TelegramError, match="Invalid server response"):
        AiohttpRequest.parse_json_payload(b"<html>Bad Gateway</html>")
