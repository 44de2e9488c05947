"""`PaystackClient`: the one place the gateway talks HTTP to Paystack (paystack.md §1-4, §7).

Errors pass one choke point, `_translate()`, as in the VTPass client: "never left" (connect
error) is `UpstreamUnavailable`; "sent, no trustworthy answer" (timeout, reset, 5xx, 429,
unreadable body) is `OutcomeUnknown`; a readable refusal is `UpstreamRejected` with Paystack's
`code`. Reads (verify, list, fetch) are safe to repeat and retried with backoff; writes
(initialize, customer, dedicated account) are sent once: a lost answer is recovered by the
caller (initialize's reference is ours and stored first; a verify settles it).

The secret key lives in the `Authorization` header only; it is never logged or shown in
`repr`, and httpx's own request logging is at DEBUG.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from gateway.errors import OutcomeUnknown, UpstreamRejected, UpstreamUnavailable
from gateway.funding_settings import FundingSettings
from gateway.paystack.models import Checkout, DedicatedAccount, MalformedAnswer, Transaction
from gateway.paystack.transport import AiohttpTransport
from gateway.settings import Secret

logger = logging.getLogger(__name__)


class DuplicateReference(UpstreamRejected):
    """Initialize refused a reference already used: the first call reached Paystack."""


@contextmanager
def _translate(what: str) -> Iterator[None]:
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise UpstreamUnavailable(f"{what}: could not connect to Paystack") from exc
    except httpx.UnsupportedProtocol as exc:
        raise UpstreamUnavailable(f"{what}: bad Paystack base URL") from exc
    except httpx.TimeoutException as exc:
        raise OutcomeUnknown(f"{what}: no answer in time ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise OutcomeUnknown(f"{what}: the connection failed ({type(exc).__name__})") from exc


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    logger.warning("Paystack call failed (attempt %d), retrying: %s", state.attempt_number, exc)


class PaystackClient:
    """Async Paystack client over an owned `httpx.AsyncClient`, whose bytes go through
    aiohttp's client (`transport`) unless another transport is injected."""

    def __init__(
        self,
        base_url: str,
        secret_key: str | Secret,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = 15.0,
        read_retries: int = 2,
        retry_wait_s: float = 0.3,
        max_connections: int = 200,
    ) -> None:
        key = secret_key if isinstance(secret_key, Secret) else Secret(secret_key)
        self._key = key
        self._base = base_url.rstrip("/")
        # our own transport is called directly (`_exchange`); an injected one through httpx
        self._direct = AiohttpTransport(max_connections) if transport is None else None
        self._timeouts = {"connect": timeout_s, "read": timeout_s, "pool": timeout_s}
        self._headers = {
            "Authorization": f"Bearer {key.value}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        self._http = httpx.AsyncClient(
            base_url=self._base,
            transport=transport or self._direct,
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
        )
        self._read_retries = read_retries
        self._retry_wait_s = retry_wait_s

    def __repr__(self) -> str:
        return f"PaystackClient({str(self._http.base_url)!r})"

    @classmethod
    def from_settings(
        cls,
        funding: FundingSettings,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> PaystackClient:
        return cls(base_url or funding.api_base, funding.key_value(), transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the calls -------------------------------------------------------------------------

    async def initialize(
        self,
        *,
        email: str,
        amount: int,
        reference: str,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Checkout:
        """`POST /transaction/initialize`, sent once.

        Raises:
            DuplicateReference: the reference was initialized before (a retry after a lost
                answer); UpstreamRejected, UpstreamUnavailable, OutcomeUnknown.
        """
        body: dict[str, Any] = {
            "email": email,
            "amount": amount,
            "reference": reference,
            "currency": "NGN",
        }
        if callback_url is not None:
            body["callback_url"] = callback_url
        if metadata:
            body["metadata"] = dict(metadata)
        data = await self._call("POST", "/transaction/initialize", "initialize", json=body)
        try:
            return Checkout(
                authorization_url=str(data["authorization_url"]),
                access_code=str(data["access_code"]),
                reference=str(data.get("reference") or reference),
            )
        except (KeyError, TypeError) as exc:
            raise OutcomeUnknown("initialize: no checkout URL in the answer") from exc

    async def verify(self, reference: str) -> Transaction | None:
        """`GET /transaction/verify/:reference`; None when Paystack does not know it."""
        try:
            data = await self._read(f"/transaction/verify/{reference}", "verify")
        except UpstreamRejected as exc:
            # 404 per the OpenAPI spec, 400 in the wild: either with "not found" (§8.3)
            if exc.upstream_code in {"http_404", "http_400"} and "not found" in str(exc).lower():
                return None
            raise
        try:
            return Transaction.read(data)
        except MalformedAnswer as exc:
            raise OutcomeUnknown(f"verify: {exc}") from exc

    async def transactions(
        self, *, status: str = "success", since: str | None = None, per_page: int = 100
    ) -> list[Transaction]:
        """`GET /transaction`: every page of the transactions in `status` since an ISO time."""
        found: list[Transaction] = []
        page = 1
        while True:
            params: dict[str, str | int] = {"status": status, "perPage": per_page, "page": page}
            if since is not None:
                params["from"] = since
            body = await self._read("/transaction", "list", params=params, whole=True)
            items = body.get("data")
            if not isinstance(items, list):
                raise OutcomeUnknown("list: no transactions in the answer")
            for item in items:
                try:
                    found.append(Transaction.read(item))
                except MalformedAnswer:
                    logger.warning("list: an unreadable Paystack transaction was skipped")
            meta = body.get("meta") if isinstance(body.get("meta"), Mapping) else {}
            if not items or page >= int(meta.get("pageCount") or 1):
                return found
            page += 1

    async def create_customer(
        self, *, email: str, first_name: str, last_name: str, phone: str
    ) -> str:
        """`POST /customer`; the customer code (`CUS_…`)."""
        body = {"email": email, "first_name": first_name, "last_name": last_name, "phone": phone}
        data = await self._call("POST", "/customer", "customer", json=body)
        code = data.get("customer_code")
        if not isinstance(code, str) or not code:
            raise OutcomeUnknown("customer: no customer_code in the answer")
        return code

    async def create_dedicated_account(self, customer_code: str, provider: str) -> DedicatedAccount:
        """`POST /dedicated_account` (the synchronous, multi-step create)."""
        body = {"customer": customer_code, "preferred_bank": provider}
        data = await self._call("POST", "/dedicated_account", "dedicated_account", json=body)
        try:
            return DedicatedAccount.read(data)
        except MalformedAnswer as exc:
            raise OutcomeUnknown(f"dedicated_account: {exc}") from exc

    # -- transport -------------------------------------------------------------------------

    async def _read(
        self,
        path: str,
        what: str,
        *,
        params: Mapping[str, str | int] | None = None,
        whole: bool = False,
    ) -> Any:
        # the first attempt without tenacity's machinery: every webhook's verify comes here
        try:
            return await self._call("GET", path, what, params=params, whole=whole)
        except OutcomeUnknown as exc:
            if self._read_retries < 1:
                raise
            logger.warning("Paystack call failed (attempt 1), retrying: %s", exc)
        await asyncio.sleep(self._retry_wait_s)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._read_retries),
            # the same waits as one exponential schedule from the first attempt
            wait=wait_exponential(multiplier=self._retry_wait_s * 2, max=5.0),
            retry=retry_if_exception_type(OutcomeUnknown),
            before_sleep=_log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._call("GET", path, what, params=params, whole=whole)
        raise AssertionError("unreachable")  # pragma: no cover - tenacity reraises

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        whole: bool = False,
    ) -> Any:
        with _translate(what):
            status, content = await self._exchange(method, path, json, params)
        if status == 429 or status >= 500:
            raise OutcomeUnknown(f"{what}: Paystack answered HTTP {status}")
        try:
            body = jsonlib.loads(content)
        except ValueError as exc:
            raise OutcomeUnknown(f"{what}: unreadable answer (HTTP {status})") from exc
        if not isinstance(body, Mapping):
            raise OutcomeUnknown(f"{what}: the answer is not an object")
        if status >= 400 or body.get("status") is not True:
            raise _refusal(what, status, body)
        return body if whole else body.get("data")

    async def _exchange(
        self,
        method: str,
        path: str,
        json: Mapping[str, Any] | None,
        params: Mapping[str, str | int] | None,
    ) -> tuple[int, bytes]:
        if self._direct is None:
            response = await self._http.request(
                method, path, json=json, params=params, headers=self._headers
            )
            return response.status_code, response.content
        url = self._base + path + ("?" + urlencode(params) if params else "")
        body = None if json is None else jsonlib.dumps(json).encode()
        status, _, content = await self._direct.exchange(
            method, url, self._headers, body, self._timeouts
        )
        return status, content


def _refusal(what: str, status: int, body: Mapping[str, Any]) -> UpstreamRejected:
    message = str(body.get("message") or "refused")
    code = body.get("code")
    if code == "duplicate_reference":
        return DuplicateReference(f"{what}: {message}", upstream_code="duplicate_reference")
    if status == 401:
        return UpstreamRejected(f"{what}: Paystack refused the key", upstream_code="http_401")
    return UpstreamRejected(
        f"{what}: {message}", upstream_code=str(code) if code else f"http_{status}"
    )
