"""An httpx transport that moves the bytes with aiohttp's client (the Paystack client's default).

Why (bench/RESULTS.md, "Funding webhooks"): every webhook costs one `GET /transaction/verify`,
and under a burst httpcore spent more of the gateway's CPU placing requests on its pool (it
scans every pooled connection, with a socket query each, for every request) and parsing HTTP in
pure Python than the credit itself cost; aiohttp's connector takes a kept-alive connection from
a per-host queue and parses in C (the Telegram channel made the same move, `telegram_http`).
The client's API stays httpx's and tests may still inject any other transport; with this one
the client skips httpx's request building too (`exchange`: its pure-Python URL parsing cost
more than the bytes), and errors are translated as before.

aiohttp failures become the httpx exceptions the client already translates: a connection never
made is `ConnectError` / `ConnectTimeout`, a timeout after sending is `ReadTimeout`, anything
else once sent is `ReadError` (the outcome is unknown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aiohttp
import httpx

KEEPALIVE_S = 30.0
_DECODED = {"content-encoding", "content-length", "transfer-encoding"}


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One `aiohttp.ClientSession`, made on first use (inside the running loop)."""

    def __init__(self, max_connections: int = 200, keepalive_s: float = KEEPALIVE_S) -> None:
        self._max = max_connections
        self._keepalive_s = keepalive_s
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max, limit_per_host=self._max, keepalive_timeout=self._keepalive_s
            )
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        status, headers, content = await self.exchange(
            request.method,
            str(request.url),
            list(request.headers.multi_items()),
            await request.aread() or None,
            timeouts,
            request,
        )
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def exchange(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]] | Mapping[str, str],
        body: bytes | None,
        timeouts: Mapping[str, float | None],
        request: httpx.Request | None = None,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send one request; the status, headers and (decompressed) body of the answer.

        Raises:
            httpx.TransportError: as httpx's own transport would (see the module docstring).
        """
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=timeouts.get("pool"),
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        try:
            async with self._open().request(
                method, url, headers=headers, data=body, timeout=timeout, allow_redirects=False
            ) as answer:
                content = await answer.read()  # decompressed: its length and encoding go
                kept = [
                    (name, value)
                    for name, value in answer.headers.items()
                    if name.lower() not in _DECODED
                ]
                return answer.status, kept, content
        except aiohttp.InvalidURL as exc:
            raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout("connect timed out", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except TimeoutError as exc:
            raise httpx.ReadTimeout("no answer in time", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
