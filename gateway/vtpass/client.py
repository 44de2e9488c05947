"""`VTPassClient`: the one place the gateway talks HTTP to VTPass.

Errors pass one choke point, `_translate()` (style.md §6, like httpx's `map_exceptions`):
"never left" (connect error or timeout, pool timeout, open breaker) is `UpstreamUnavailable`;
"sent, no trustworthy answer" (read timeout, reset, 5xx, unreadable body) is `OutcomeUnknown`.

Retries: `/pay` is sent exactly once, never retried by tenacity or by the transport: a second
send can only earn `014`, and a lost answer is settled by `/requery` with the same id. GETs
(catalogue, balance) and `/requery` (read-only, so safe to repeat) are retried with exponential
backoff and jitter on transient errors. `merchant-verify` is not retried: it serves interactive
USSD screens, whose reply budget is a couple of seconds, so the caller decides.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from gateway.clock import Clock
from gateway.errors import ConfigError, OutcomeUnknown, UpstreamUnavailable
from gateway.metrics import VTPASS_CALLS, VTPASS_CODES, VTPASS_SECONDS
from gateway.money import Kobo, kobo_to_naira
from gateway.phones import to_local
from gateway.settings import Secret, Settings
from gateway.vtpass.answers import (
    parse_balance,
    parse_categories,
    parse_customer_info,
    parse_services,
    parse_variations,
)
from gateway.vtpass.breaker import CircuitBreaker, CircuitOpenError
from gateway.vtpass.catalogue import CachedCatalogue
from gateway.vtpass.codes import ResponseCode
from gateway.vtpass.models import (
    Category,
    CustomerInfo,
    Outcome,
    PayRequest,
    PayResult,
    Service,
    Variation,
)
from gateway.vtpass.pay_results import classify, needs_token
from gateway.vtpass.reading import MalformedResponse, decode_json

logger = logging.getLogger(__name__)
T = TypeVar("T")
_CONNECTIONS_PER_POOL = 64


class _UnreadableAnswer(OutcomeUnknown):
    """A requery answer worth retrying (5xx, no code); carries its classification for the end."""

    def __init__(self, result: PayResult) -> None:
        super().__init__(result.reason or "unreadable requery answer")
        self.result = result


def _is_transient(exc: BaseException) -> bool:
    # an open breaker is not transient on the scale of a backoff: fail fast instead
    transient = isinstance(exc, UpstreamUnavailable | OutcomeUnknown)
    return transient and not isinstance(exc, CircuitOpenError)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    logger.warning("VTPass call failed (attempt %d), retrying: %s", state.attempt_number, exc)


@contextmanager
def _translate(what: str) -> Iterator[None]:
    """Map httpx's errors onto the gateway's; the connect checks must come before timeouts."""
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise UpstreamUnavailable(
            f"{what}: could not connect to VTPass ({type(exc).__name__}); nothing was sent"
        ) from exc
    except httpx.UnsupportedProtocol as exc:
        raise UpstreamUnavailable(f"{what}: bad VTPass base URL ({exc})") from exc
    except httpx.TimeoutException as exc:
        raise OutcomeUnknown(f"{what}: no answer in time ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise OutcomeUnknown(
            f"{what}: the connection failed after sending ({type(exc).__name__})"
        ) from exc


_KNOWN_CODES = frozenset(code.value for code in ResponseCode)


def _count_code(endpoint: str, result: PayResult) -> None:
    # only documented codes are labels: an odd answer cannot grow the series
    code = result.code if result.code in _KNOWN_CODES else ("none" if not result.code else "other")
    VTPASS_CODES.labels(endpoint, code).inc()


def _observe(endpoint: str, status: str, started: float) -> None:
    VTPASS_SECONDS.labels(endpoint).observe(time.perf_counter() - started)
    VTPASS_CALLS.labels(endpoint, status).inc()


def _required(name: str, value: Secret | None) -> Secret:
    if value is None:
        raise ConfigError(f"{name}: required to call VTPass")
    return value


def naira_json(amount: Kobo) -> int | float:
    """Kobo as the JSON number of naira VTPass wants: 150000 -> 1500, 150050 -> 1500.5."""
    naira = kobo_to_naira(amount)
    return int(naira) if naira == naira.to_integral_value() else float(naira)


def pay_payload(request: PayRequest) -> dict[str, Any]:
    """The `/pay` JSON body; the only place kobo become naira for VTPass."""
    payload: dict[str, Any] = dict(request.extra)
    payload.update(
        request_id=request.request_id,
        serviceID=request.service_id,
        phone=to_local(request.phone),
    )
    if request.amount is not None:
        if request.amount <= 0:
            raise ValueError("amount must be positive")
        payload["amount"] = naira_json(request.amount)
    optional = {
        "billersCode": request.customer_ref,
        "variation_code": request.variation_code,
        "subscription_type": request.subscription_type,
        "quantity": request.quantity,
    }
    payload.update({k: v for k, v in optional.items() if v is not None})
    return payload


class VTPassClient:
    """Async VTPass client over an injected or owned `httpx.AsyncClient`.

    `client.catalogue` is a `CachedCatalogue` over this client (TTL `catalogue_ttl_s`); the
    client's own `categories()`/`services()`/`variations()` always call VTPass.
    `client.breaker.state` is what `/readyz` reports.

    Args:
        http: a shared `httpx.AsyncClient` (not closed by `aclose`); else one is created.
        transport: a transport for the created client (tests: `httpx.MockTransport`).
        get_retries: retries after the first attempt for GETs; `requery_retries` likewise.
        retry_wait_s, retry_wait_max_s: backoff start and cap (tests pass 0).
        max_connections: concurrent VTPass calls (each purchase in flight holds one).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | Secret,
        public_key: str | Secret,
        secret_key: str | Secret,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 30.0,
        pay_read_timeout_s: float = 120.0,
        get_retries: int = 3,
        requery_retries: int | None = None,
        retry_wait_s: float = 0.5,
        retry_wait_max_s: float = 8.0,
        breaker: CircuitBreaker | None = None,
        clock: Clock | None = None,
        catalogue_ttl_s: float = 3600.0,
        max_connections: int = 1500,
    ) -> None:
        if http is not None and transport is not None:
            raise ValueError("pass either http or transport, not both")
        if get_retries < 0 or (requery_retries is not None and requery_retries < 0):
            raise ValueError("retries must not be negative")
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._api_key = api_key if isinstance(api_key, Secret) else Secret(api_key)
        self._public_key = public_key if isinstance(public_key, Secret) else Secret(public_key)
        self._secret_key = secret_key if isinstance(secret_key, Secret) else Secret(secret_key)
        self._owns_http = http is None
        # retries=0: httpx must never resend anything on its own; /pay depends on it.
        # The pools must hold every purchase in flight (>= 1,000 at VTPass's 1.5 s) and keep
        # those connections alive (httpx's default, 100 with 20 kept, caps concurrency at 100
        # and reconnects under load). httpcore scans its whole pool on every request, so the
        # connections are spread over small pools used in turn, not one big one.
        if http is not None:
            self._pool = [http]
        elif transport is not None:
            self._pool = [httpx.AsyncClient(transport=transport, follow_redirects=False)]
        else:
            shards = max(1, -(-max_connections // _CONNECTIONS_PER_POOL))
            per_pool = -(-max_connections // shards)
            limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
            self._pool = [
                httpx.AsyncClient(
                    transport=httpx.AsyncHTTPTransport(retries=0, limits=limits),
                    follow_redirects=False,
                )
                for _ in range(shards)
            ]
        self._turn = itertools.cycle(self._pool)
        write_s = max(connect_timeout_s, read_timeout_s)
        self._timeout = httpx.Timeout(
            connect=connect_timeout_s, read=read_timeout_s, write=write_s, pool=connect_timeout_s
        )
        self._pay_timeout = httpx.Timeout(
            connect=connect_timeout_s,
            read=pay_read_timeout_s,
            write=write_s,
            pool=connect_timeout_s,
        )
        self._get_retries = get_retries
        self._requery_retries = get_retries if requery_retries is None else requery_retries
        self._retry_wait_s = retry_wait_s
        self._retry_wait_max_s = retry_wait_max_s
        self.breaker = breaker or CircuitBreaker()
        self.catalogue = CachedCatalogue(self, catalogue_ttl_s, clock)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
    ) -> VTPassClient:
        """A client configured from `Settings` (timeouts, retries, breaker, catalogue TTL).

        Raises:
            ConfigError: no base URL or a key is missing (naming the variable).
        """
        url = base_url or settings.vtpass_base_url
        if url is None:
            raise ConfigError("PAYLINK_VTPASS_BASE_URL: no VTPass base URL to talk to")
        api_key = _required("VTPASS_API_KEY", settings.vtpass_api_key)
        public_key = _required("VTPASS_PUBLIC_KEY", settings.vtpass_public_key)
        secret_key = _required("VTPASS_SECRET_KEY", settings.vtpass_secret_key)
        return cls(
            url,
            api_key,
            public_key,
            secret_key,
            transport=transport,
            connect_timeout_s=settings.vtpass_connect_timeout_s,
            read_timeout_s=settings.vtpass_read_timeout_s,
            pay_read_timeout_s=settings.vtpass_pay_read_timeout_s,
            get_retries=settings.vtpass_get_retries,
            breaker=CircuitBreaker(
                settings.vtpass_breaker_failures, settings.vtpass_breaker_reset_s
            ),
            clock=clock,
            catalogue_ttl_s=settings.vtpass_catalogue_ttl_s,
        )

    async def aclose(self) -> None:
        """Stop the catalogue's background fetches, then close the HTTP pool if it is ours."""
        await self.catalogue.aclose()  # a fetch left running would outlive the pool under it
        if self._owns_http:
            for http in self._pool:
                await http.aclose()

    async def __aenter__(self) -> VTPassClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- catalogue and wallet (GET, retried) ---------------------------------------------------

    async def categories(self) -> list[Category]:
        return await self._get("service-categories", parse_categories)

    async def services(self, category: str) -> list[Service]:
        return await self._get(
            "services", lambda body: parse_services(body, category), {"identifier": category}
        )

    async def variations(self, service_id: str) -> list[Variation]:
        return await self._get("service-variations", parse_variations, {"serviceID": service_id})

    async def balance(self) -> Kobo:
        """Our VTPass wallet (float) balance."""
        return await self._get("balance", parse_balance)

    # --- transactional (POST) ----------------------------------------------------------------

    async def verify(
        self, service_id: str, customer_ref: str, type: str | None = None
    ) -> CustomerInfo:
        """Look up a meter, smartcard or profile; `valid=False` when VTPass says it is wrong.

        Args:
            type: `prepaid`/`postpaid` for electricity, the variation code for JAMB.

        Raises:
            UpstreamRejected: a refusal code (011, 012, 087, ...).
            UpstreamUnavailable, OutcomeUnknown: see the module docstring.
        """
        body = {"serviceID": service_id, "billersCode": customer_ref}
        if type is not None:
            body["type"] = type
        response = await self._send("POST", "merchant-verify", self._timeout, json_body=body)
        return self._read(response, "merchant-verify", parse_customer_info)

    async def pay(self, request: PayRequest) -> PayResult:
        """Send `/pay` exactly once and classify the answer (never FAILED for lack of one).

        Raises:
            UpstreamUnavailable: provably not sent (connect failure; `CircuitOpenError` while
                the breaker is open); retry later with the SAME request_id.
            ValueError: the request cannot be encoded (non-positive amount).
        """
        payload = pay_payload(request)
        try:
            response = await self._send("POST", "pay", self._pay_timeout, json_body=payload)
        except OutcomeUnknown as exc:
            return PayResult(
                outcome=Outcome.PENDING,
                request_id=request.request_id,
                reason=f"{exc}; the purchase may have gone through, requery",
            )
        result = classify(
            response.status_code,
            response.content,
            request_id=request.request_id,
            expects_token=needs_token(request.service_id, request.variation_code),
        )
        _count_code("pay", result)
        logger.info("VTPass pay %s: %s (%s)", request.request_id, result.outcome, result.code)
        return result

    async def requery(self, request_id: str, *, expects_token: bool | None = None) -> PayResult:
        """Ask VTPass for a transaction's state; `NOT_FOUND` if it never saw the id.

        Retried like a GET; when every attempt fails after sending, the answer is PENDING.

        Args:
            expects_token: pass True for prepaid electricity (see `pay_results.classify`).

        Raises:
            UpstreamUnavailable: VTPass could not be reached at all; nothing was learnt.
        """
        try:
            async for attempt in self._retrying(self._requery_retries):
                with attempt:
                    body = {"request_id": request_id}
                    response = await self._send("POST", "requery", self._timeout, json_body=body)
                    result = classify(
                        response.status_code,
                        response.content,
                        request_id=request_id,
                        expects_token=expects_token,
                        requery=True,
                    )
                    _count_code("requery", result)
                    if response.status_code >= 500 or result.code is None:
                        raise _UnreadableAnswer(result)
                    return result
        except _UnreadableAnswer as exc:
            return exc.result
        except OutcomeUnknown as exc:
            return PayResult(outcome=Outcome.PENDING, request_id=request_id, reason=str(exc))
        raise AssertionError("unreachable: tenacity re-raises the last error")

    # --- plumbing -------------------------------------------------------------------------------

    def _headers(self, method: str) -> dict[str, str]:
        # GET: api-key + public-key; POST: api-key + secret-key (vtpass.md §1)
        if method == "GET":
            name, key = "public-key", self._public_key
        else:
            name, key = "secret-key", self._secret_key
        return {"api-key": self._api_key.value, name: key.value, "Accept": "application/json"}

    def _retrying(self, retries: int) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(retries + 1),
            # exponential backoff plus jitter, spelled so it works on tenacity 8.2 and 9.x
            wait=wait_exponential(multiplier=self._retry_wait_s, max=self._retry_wait_max_s)
            + wait_random(0, self._retry_wait_s),
            retry=retry_if_exception(_is_transient),
            before_sleep=_log_retry,
            reraise=True,
        )

    async def _send(
        self,
        method: str,
        path: str,
        timeouts: httpx.Timeout,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """One HTTP exchange through the breaker and the error choke point, timed and counted
        by endpoint (`path`, one of a fixed few)."""
        try:
            probe = self.breaker.acquire()
        except CircuitOpenError:
            VTPASS_CALLS.labels(path, "circuit_open").inc()
            raise
        started = time.perf_counter()
        try:
            with _translate(f"{method} {path}"):
                response = await next(self._turn).request(
                    method,
                    self._base_url + path,
                    params=params,
                    json=json_body,
                    headers=self._headers(method),
                    timeout=timeouts,
                )
        except (UpstreamUnavailable, OutcomeUnknown) as exc:
            unreachable = isinstance(exc, UpstreamUnavailable)
            _observe(path, "unreachable" if unreachable else "no_answer", started)
            self.breaker.record_failure(probe)
            raise
        except BaseException:  # cancelled: no verdict on VTPass's health
            self.breaker.release(probe)
            raise
        _observe(path, str(response.status_code), started)
        if response.status_code >= 500:
            self.breaker.record_failure(probe)
        else:
            self.breaker.record_success()
        logger.debug("VTPass %s %s -> HTTP %d", method, path, response.status_code)
        return response

    async def _get(
        self, path: str, parse: Callable[[Any], T], params: dict[str, str] | None = None
    ) -> T:
        async for attempt in self._retrying(self._get_retries):
            with attempt:
                response = await self._send("GET", path, self._timeout, params=params)
                return self._read(response, f"GET {path}", parse)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    @staticmethod
    def _read(response: httpx.Response, what: str, parse: Callable[[Any], T]) -> T:
        if response.status_code >= 500:
            raise OutcomeUnknown(f"{what}: HTTP {response.status_code}")
        try:
            return parse(decode_json(response.content))
        except MalformedResponse as exc:
            raise OutcomeUnknown(f"{what}: HTTP {response.status_code}, {exc}") from exc
