"""python-telegram-bot's Bot API requests over aiohttp's client instead of its default httpx.

Why (bench/RESULTS.md, "Telegram ... session 7"): every update makes two Bot API calls, and
under 50 busy chats httpx spent more gateway CPU on them than the whole conversation did.
httpcore scans every pooled connection (with a socket query each) to place each request, so its
cost grows with the pool, and parses HTTP in pure Python; aiohttp's client picks a kept-alive
connection from a per-host queue and parses in C, and the gateway already runs on aiohttp.

PTB allows exactly this: a `BaseRequest` subclass passed to the builder (`ApplicationBuilder.
request`, `Bot(request=...)`). It only moves bytes: PTB still builds the call, parses the
answer and raises its own errors (`BadRequest`, `RetryAfter`, ...) from the status and body;
here a timeout becomes `TimedOut` and any other transport failure `NetworkError`, as with httpx.
Parameters go as a JSON body (the Bot API takes `application/json` for every method; encoded
with orjson from `RequestData.parameters`, as PTB's docs suggest for a faster encoder: PTB's own
form encoding, `urlencode` over JSON-dumped values, cost a tenth of an update's CPU); a call with
files goes as multipart, as PTB's does. Answers are parsed with orjson too.
"""

from __future__ import annotations

import functools
from types import MappingProxyType

import aiohttp
import orjson
from telegram._utils.defaultvalue import DefaultValue  # PTB's own sentinel for "not given"
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

CONNECTIONS = 128  # in flight at once; 50 busy chats make up to 100 (an answer and an edit each)
KEEPALIVE_S = 30.0  # an idle connection to the Bot API is kept this long
READ_S = 5.0  # PTB's defaults for its httpx request
WRITE_S = 5.0
CONNECT_S = 5.0
POOL_S = 1.0
UPLOAD_WRITE_S = 20.0
JSON_HEADERS = MappingProxyType({"Content-Type": "application/json"})


class AiohttpRequest(BaseRequest):
    """Bot API calls through one `aiohttp.ClientSession` (made in `initialize`, in the loop)."""

    __slots__ = ("_connections", "_read_s", "_session")

    def __init__(self, connections: int = CONNECTIONS, read_timeout: float | None = READ_S) -> None:
        self._connections = connections
        self._read_s = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """The Bot API's answer, parsed with orjson (PTB's documented hook for a faster
        parser); anything orjson refuses goes to PTB's own (lenient UTF-8, its errors)."""
        try:
            parsed: JSONDict = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return BaseRequest.parse_json_payload(payload)
        return parsed

    @property
    def read_timeout(self) -> float | None:
        return self._read_s

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connections, limit_per_host=0, keepalive_timeout=KEEPALIVE_S
            )
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = _given(read_timeout, self._read_s)
        write = _given(write_timeout, UPLOAD_WRITE_S if files else WRITE_S)
        connect = _given(connect_timeout, CONNECT_S)
        pool = _given(pool_timeout, POOL_S)
        timeout = _timeout(pool, connect, write, read)
        data: aiohttp.FormData | bytes | None = None
        headers = None
        if files:
            data = _multipart(request_data)
        elif request_data is not None and (parameters := request_data.parameters):
            data = orjson.dumps(parameters)
            headers = JSON_HEADERS
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc


@functools.lru_cache(maxsize=64)
def _timeout(
    pool: float | None, connect: float | None, write: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for PTB's four (one object per combination: they are immutable).
    aiohttp has no write timeout of its own: writing is bounded with the connect time."""
    return aiohttp.ClientTimeout(
        connect=_sum(pool, connect, write), sock_connect=connect, sock_read=read
    )


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _sum(*parts: float | None) -> float | None:
    """None (no limit) if any part has none."""
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)


def _multipart(request_data: RequestData | None) -> aiohttp.FormData:
    form = aiohttp.FormData()
    if request_data is None:
        return form
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
