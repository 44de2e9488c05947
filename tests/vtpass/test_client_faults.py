"""VTPassClient against faults the simulator cannot produce, through `httpx.MockTransport`.

The story every test checks in its own way: `/pay` leaves at most once. A lost or garbled answer
is PENDING (requery later), a connection that never opened is `UpstreamUnavailable` (safe to
retry later with the same request_id), and only reads are ever retried.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from gateway.errors import ConfigError, OutcomeUnknown, UpstreamRejected, UpstreamUnavailable
from gateway.money import Kobo
from gateway.settings import Secret, Settings
from gateway.vtpass.breaker import BreakerState, CircuitBreaker, CircuitOpenError
from gateway.vtpass.client import VTPassClient, naira_json, pay_payload
from gateway.vtpass.models import Outcome, PayRequest
from tests.vtpass.fakes import DELIVERED, FakeTime, FakeVTPass, ok, raw

API_KEY, PUBLIC_KEY, SECRET_KEY = (
    "apikey0123456789abcdef0123456789",
    "PK_public_test",
    "SK_secret_test",
)
BASE = "https://vtpass.test/api/"
REQUEST = PayRequest(
    request_id="202611271100abcdefgh",
    service_id="mtn",
    phone="+2348011111111",
    amount=Kobo(150_050),
)


def make_client(fake: FakeVTPass, **overrides: Any) -> VTPassClient:
    options: dict[str, Any] = {
        "transport": httpx.MockTransport(fake),
        "retry_wait_s": 0,
        "get_retries": 2,
        "breaker": CircuitBreaker(5, 30, monotonic=FakeTime()),
    }
    options.update(overrides)
    return VTPassClient(BASE, API_KEY, PUBLIC_KEY, SECRET_KEY, **options)


def state(client: VTPassClient) -> BreakerState:
    """Read through a call, so mypy does not carry narrowing across time moves."""
    return client.breaker.state


@pytest.fixture
def fake():
    return FakeVTPass()


@pytest.fixture
async def client(fake):
    async with make_client(fake) as client:
        yield client


# --- the request on the wire -------------------------------------------------------------------


async def test_get_sends_api_key_and_public_key(client, fake):
    await client.balance()
    (request,) = fake.requests
    assert request.method == "GET"
    assert request.headers["api-key"] == API_KEY
    assert request.headers["public-key"] == PUBLIC_KEY
    assert "secret-key" not in request.headers


async def test_post_sends_api_key_and_secret_key_with_a_json_body(client, fake):
    await client.pay(REQUEST)
    (request,) = fake.sent("pay")
    assert request.method == "POST"
    assert request.headers["api-key"] == API_KEY
    assert request.headers["secret-key"] == SECRET_KEY
    assert "public-key" not in request.headers
    assert request.headers["content-type"] == "application/json"
    assert fake.body(request) == {
        "request_id": "202611271100abcdefgh",
        "serviceID": "mtn",
        "phone": "08011111111",  # E.164 -> local 11-digit form
        "amount": 1500.5,  # kobo -> a JSON number of naira, only here
    }


def test_pay_payload_for_a_plan_purchase():
    request = PayRequest(
        request_id="202611271100x",
        service_id="dstv",
        phone="08011111111",
        amount=Kobo(790_000),
        customer_ref="1212121212",
        variation_code="dstv79",
        subscription_type="renew",
        quantity=1,
        extra={"Insured_Name": "Ada"},
    )
    assert pay_payload(request) == {
        "Insured_Name": "Ada",
        "request_id": "202611271100x",
        "serviceID": "dstv",
        "phone": "08011111111",
        "amount": 7900,
        "billersCode": "1212121212",
        "variation_code": "dstv79",
        "subscription_type": "renew",
        "quantity": 1,
    }


@pytest.mark.parametrize(("kobo", "naira"), [(150_000, 1500), (150_050, 1500.5), (1, 0.01)])
def test_naira_json(kobo, naira):
    value = naira_json(Kobo(kobo))
    assert value == naira
    assert type(value) is type(naira)


def test_pay_payload_refuses_a_non_positive_amount():
    with pytest.raises(ValueError, match="positive"):
        pay_payload(PayRequest("202611271100x", "mtn", "08011111111", amount=Kobo(0)))


async def test_timeouts_are_per_call_and_pay_waits_longer(fake):
    async with make_client(
        fake, connect_timeout_s=2, read_timeout_s=5, pay_read_timeout_s=50
    ) as client:
        await client.balance()
        await client.pay(REQUEST)
        await client.requery(REQUEST.request_id)
    timeouts = {fake.path(r): r.extensions["timeout"] for r in fake.requests}
    assert timeouts["balance"]["connect"] == 2
    assert timeouts["balance"]["read"] == 5
    assert timeouts["requery"]["read"] == 5
    assert timeouts["pay"]["connect"] == 2
    assert timeouts["pay"]["read"] == 50
    assert fake.count("pay") == 1


# --- /pay faults: never FAILED, never sent twice -----------------------------------------------


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (raw(b'{"code":"000","content":{'), "not JSON"),
        (raw(b"<html><body><h1>502 Bad Gateway</h1></body></html>", 502), "HTML"),
        (raw(b"Internal Server Error", 500, "text/plain"), "HTTP 500"),
        (ok({"code": "000", "content": {}}, 503), "HTTP 503"),
        (ok({"code": "083", "content": {"errors": []}}, 500), "system error"),
        (raw(b"", 200), "empty"),
        (ok({"code": "099", "response_description": "TRANSACTION IS PROCESSING"}), "processing"),
        (ok({"code": "014", "response_description": "REQUEST ID ALREADY EXIST"}), "already used"),
        (ok({"code": "777"}), "unknown code"),
        (httpx.ReadTimeout, "no answer in time"),
        (httpx.WriteTimeout, "no answer in time"),
        (httpx.RemoteProtocolError, "after sending"),
        (httpx.ReadError, "after sending"),
        (httpx.WriteError, "after sending"),
    ],
)
async def test_pay_without_a_trustworthy_answer_is_pending(client, fake, reply, words):
    fake.script("pay", reply)
    result = await client.pay(REQUEST)
    assert result.outcome is Outcome.PENDING
    assert result.request_id == REQUEST.request_id
    assert words in (result.reason or "")
    assert fake.count("pay") == 1


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
async def test_pay_that_never_left_raises_unavailable(client, fake, error):
    fake.script("pay", error)
    with pytest.raises(UpstreamUnavailable, match="nothing was sent") as info:
        await client.pay(REQUEST)
    assert isinstance(info.value.__cause__, error)
    assert fake.count("pay") == 1  # one attempt, no retry by tenacity or the transport


async def test_pay_definitive_answers_pass_through(client, fake):
    fake.script(
        "pay",
        ok({"code": "016", "response_description": "TRANSACTION FAILED"}),
        ok({"code": "018", "response_description": "LOW WALLET BALANCE"}),
        ok(DELIVERED),
    )
    assert (await client.pay(REQUEST)).outcome is Outcome.FAILED
    assert (await client.pay(REQUEST)).outcome is Outcome.REJECTED
    assert (await client.pay(REQUEST)).outcome is Outcome.DELIVERED
    assert fake.count("pay") == 3  # three purchases, each sent exactly once


async def test_pay_prepaid_electricity_without_token_is_pending(client, fake):
    body = {
        **DELIVERED,
        "content": {"transactions": {"status": "delivered", "type": "Electricity Bill"}},
        "purchased_code": "",
    }
    fake.script("pay", ok(body))
    request = PayRequest(
        "202611271100meter",
        "ikeja-electric",
        "08011111111",
        Kobo(200_000),
        "1111111111111",
        "prepaid",
    )
    result = await client.pay(request)
    assert result.outcome is Outcome.PENDING
    assert "token" in (result.reason or "")
    assert fake.count("pay") == 1


async def test_pay_result_raw_and_logs_never_hold_credentials(client, fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.script("pay", ok(DELIVERED), httpx.ReadTimeout)
    results = [await client.pay(REQUEST), await client.pay(REQUEST)]
    await client.balance()
    text = caplog.text + repr(results) + repr(client.__dict__)
    for secret in (API_KEY, PUBLIC_KEY, SECRET_KEY):
        assert secret not in text
    assert fake.count("pay") == 2


# --- GET retries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "transient",
    [
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.ReadTimeout,
        httpx.RemoteProtocolError,
        raw(b"<html>502</html>", 502),
        raw(b"oops", 200, "text/plain"),
    ],
)
async def test_get_is_retried_on_transient_errors(client, fake, transient):
    fake.script("balance", transient, transient)
    assert await client.balance() == 100_050
    assert fake.count("balance") == 3


async def test_get_gives_up_after_the_configured_retries(client, fake):
    fake.script("service-categories", httpx.ReadTimeout, httpx.ReadTimeout, httpx.ReadTimeout)
    with pytest.raises(OutcomeUnknown):
        await client.categories()
    assert fake.count("service-categories") == 3  # 1 + get_retries=2

    fake.script("balance", httpx.ConnectError, httpx.ConnectError, httpx.ConnectError)
    with pytest.raises(UpstreamUnavailable):
        await client.balance()


async def test_get_refusal_is_not_retried(client, fake):
    fake.script("balance", ok({"code": "087", "response_description": "INVALID CREDENTIALS"}))
    with pytest.raises(UpstreamRejected) as info:
        await client.balance()
    assert info.value.upstream_code == "087"
    assert fake.count("balance") == 1


async def test_zero_retries_means_one_attempt(fake):
    fake.script("balance", httpx.ReadTimeout)
    async with make_client(fake, get_retries=0) as client:
        with pytest.raises(OutcomeUnknown):
            await client.balance()
    assert fake.count("balance") == 1


async def test_backoff_waits_between_attempts(fake):
    import time

    fake.script("balance", httpx.ConnectError, httpx.ConnectError)
    async with make_client(fake, retry_wait_s=0.05, retry_wait_max_s=1) as client:
        started = time.monotonic()
        await client.balance()
        elapsed = time.monotonic() - started
    # initial 0.05 then 0.1, each plus up to 0.05 of jitter
    assert 0.14 <= elapsed < 1.0


# --- requery (read-only, so retried) -----------------------------------------------------------


async def test_requery_is_retried_until_a_readable_answer(client, fake):
    fake.script("requery", httpx.ReadTimeout, ok({"code": "083", "content": {"errors": []}}, 500))
    result = await client.requery("202611271100abcdefgh")
    assert result.outcome is Outcome.DELIVERED
    assert fake.count("requery") == 3
    assert fake.body(fake.sent("requery")[0]) == {"request_id": "202611271100abcdefgh"}


async def test_requery_without_a_readable_answer_is_pending(client, fake):
    fake.script("requery", *[ok({"code": "083", "content": {"errors": []}}, 500)] * 3)
    result = await client.requery("202611271100abcdefgh")
    assert result.outcome is Outcome.PENDING
    assert result.code == "083"
    assert fake.count("requery") == 3


async def test_requery_that_keeps_timing_out_is_pending(client, fake):
    fake.script("requery", *[httpx.ReadTimeout] * 3)
    result = await client.requery("202611271100abcdefgh")
    assert result.outcome is Outcome.PENDING
    assert "no answer in time" in (result.reason or "")
    assert fake.count("requery") == 3


async def test_requery_unreachable_raises(client, fake):
    fake.script("requery", *[httpx.ConnectError] * 3)
    with pytest.raises(UpstreamUnavailable):
        await client.requery("202611271100abcdefgh")


async def test_requery_not_found_and_pending_are_answers_not_retried(client, fake):
    fake.script(
        "requery",
        ok(
            {"code": "015", "response_description": "INVALID REQUEST ID", "content": {"errors": []}}
        ),
        ok({"code": "099", "response_description": "TRANSACTION IS PROCESSING"}),
    )
    assert (await client.requery("202611271100zzz")).outcome is Outcome.NOT_FOUND
    assert (await client.requery("202611271100zzz")).outcome is Outcome.PENDING
    assert fake.count("requery") == 2


# --- verify (interactive, so not retried) ------------------------------------------------------


async def test_verify_sends_type_only_when_given(client, fake):
    await client.verify("dstv", "1212121212")
    await client.verify("ikeja-electric", "1111111111111", type="prepaid")
    first, second = (fake.body(r) for r in fake.sent("merchant-verify"))
    assert first == {"serviceID": "dstv", "billersCode": "1212121212"}
    assert second == {
        "serviceID": "ikeja-electric",
        "billersCode": "1111111111111",
        "type": "prepaid",
    }


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (httpx.ReadTimeout, OutcomeUnknown),
        (raw(b"<html>502</html>", 502), OutcomeUnknown),
        (httpx.ConnectError, UpstreamUnavailable),
        (ok({"code": "012", "response_description": "PRODUCT DOES NOT EXIST"}), UpstreamRejected),
    ],
)
async def test_verify_errors_are_not_retried(client, fake, reply, error):
    fake.script("merchant-verify", reply)
    with pytest.raises(error):
        await client.verify("dstv", "1212121212")
    assert fake.count("merchant-verify") == 1


async def test_verify_wrong_number_is_a_value(client, fake):
    fake.script(
        "merchant-verify",
        ok({"code": "000", "content": {"error": "invalid meter", "WrongBillersCode": "true"}}),
    )
    info = await client.verify("ikeja-electric", "123", type="prepaid")
    assert (info.valid, info.error) == (False, "invalid meter")


# --- circuit breaker -----------------------------------------------------------------------------


async def test_breaker_opens_after_n_failures_and_pay_fails_fast(fake):
    time = FakeTime()
    breaker = CircuitBreaker(3, 30, monotonic=time)
    fake.script("balance", *[httpx.ConnectError] * 3)
    async with make_client(fake, breaker=breaker, get_retries=0) as client:
        for _ in range(3):
            with pytest.raises(UpstreamUnavailable):
                await client.balance()
        assert state(client) is BreakerState.OPEN
        with pytest.raises(CircuitOpenError):
            await client.pay(REQUEST)
        with pytest.raises(CircuitOpenError):
            await client.balance()  # an open breaker is not retried either
        with pytest.raises(CircuitOpenError):
            await client.requery(REQUEST.request_id)
    assert fake.count("pay") == 0  # failed fast: never sent
    assert fake.count("balance") == 3


async def test_5xx_and_pay_timeouts_count_as_failures(fake):
    breaker = CircuitBreaker(3, 30, monotonic=FakeTime())
    fake.script("pay", raw(b"<html>502</html>", 502), httpx.ReadTimeout)
    fake.script("balance", ok({}, 503))
    async with make_client(fake, breaker=breaker, get_retries=0) as client:
        assert (await client.pay(REQUEST)).outcome is Outcome.PENDING
        assert (await client.pay(REQUEST)).outcome is Outcome.PENDING
        with pytest.raises(OutcomeUnknown):
            await client.balance()
        assert state(client) == "open"
    assert fake.count("pay") == 2


async def test_a_business_refusal_is_a_healthy_answer(fake):
    breaker = CircuitBreaker(2, 30, monotonic=FakeTime())
    fake.script("balance", httpx.ConnectError, ok({"code": "087"}), httpx.ConnectError)
    async with make_client(fake, breaker=breaker, get_retries=0) as client:
        with pytest.raises(UpstreamUnavailable):
            await client.balance()
        with pytest.raises(UpstreamRejected):
            await client.balance()
        with pytest.raises(UpstreamUnavailable):
            await client.balance()
        assert state(client) is BreakerState.CLOSED


async def test_half_open_probe_recovers(fake):
    time = FakeTime()
    breaker = CircuitBreaker(2, 30, monotonic=time)
    fake.script("pay", httpx.ConnectError, httpx.ConnectError)
    async with make_client(fake, breaker=breaker) as client:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await client.pay(REQUEST)
        assert state(client) is BreakerState.OPEN
        time.now += 30
        assert state(client) is BreakerState.HALF_OPEN
        result = await client.pay(REQUEST)  # the probe goes through, VTPass answers
        assert result.outcome is Outcome.DELIVERED
        assert state(client) is BreakerState.CLOSED
    assert fake.count("pay") == 3


async def test_failed_probe_reopens(fake):
    time = FakeTime()
    breaker = CircuitBreaker(1, 30, monotonic=time)
    fake.script("balance", httpx.ConnectError, httpx.ReadTimeout)
    async with make_client(fake, breaker=breaker, get_retries=3) as client:
        with pytest.raises(UpstreamUnavailable):
            await client.balance()  # opens on the first failure; the retry fails fast
        time.now += 30
        with pytest.raises(CircuitOpenError):
            await client.balance()  # probe times out, breaker re-opens, retry fails fast
        assert state(client) is BreakerState.OPEN
    assert fake.count("balance") == 2


# --- catalogue cache, construction, lifecycle ----------------------------------------------------


async def test_client_catalogue_is_cached(client, fake):
    first = await client.catalogue.categories()
    second = await client.catalogue.categories()
    assert first == second
    assert fake.count("service-categories") == 1
    await client.categories()  # the client's own method always calls VTPass
    assert fake.count("service-categories") == 2


async def test_from_settings_uses_every_vtpass_setting(fake):
    settings = Settings(
        vtpass_base_url="https://vtpass.test/api",
        vtpass_api_key=Secret(API_KEY),
        vtpass_public_key=Secret(PUBLIC_KEY),
        vtpass_secret_key=Secret(SECRET_KEY),
        vtpass_breaker_failures=7,
        vtpass_breaker_reset_s=12.0,
    )
    async with VTPassClient.from_settings(settings, transport=httpx.MockTransport(fake)) as client:
        assert client.breaker.failure_threshold == 7
        assert client.breaker.reset_timeout_s == 12.0


async def test_from_settings_sends_to_the_configured_url_with_configured_timeouts(fake):
    settings = Settings(
        vtpass_api_key=Secret(API_KEY),
        vtpass_public_key=Secret(PUBLIC_KEY),
        vtpass_secret_key=Secret(SECRET_KEY),
        vtpass_connect_timeout_s=3.0,
        vtpass_read_timeout_s=7.0,
        vtpass_pay_read_timeout_s=70.0,
    )
    async with VTPassClient.from_settings(
        settings, base_url=BASE, transport=httpx.MockTransport(fake)
    ) as client:
        await client.pay(REQUEST)
        await client.balance()
    pay, balance = fake.requests
    assert str(pay.url) == BASE + "pay"
    assert pay.extensions["timeout"]["read"] == 70.0
    assert balance.extensions["timeout"] == {"connect": 3.0, "read": 7.0, "write": 7.0, "pool": 3.0}
    assert fake.count("pay") == 1


@pytest.mark.parametrize(
    ("settings", "variable"),
    [
        (Settings(), "PAYLINK_VTPASS_BASE_URL"),
        (Settings(vtpass_base_url=BASE), "VTPASS_API_KEY"),
        (
            Settings(
                vtpass_base_url=BASE,
                vtpass_api_key=Secret("k"),
                vtpass_public_key=Secret("p"),
            ),
            "VTPASS_SECRET_KEY",
        ),
    ],
)
def test_from_settings_names_what_is_missing(settings, variable):
    with pytest.raises(ConfigError, match=variable):
        VTPassClient.from_settings(settings)


async def test_an_injected_http_client_is_not_closed(fake):
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as http:
        client = VTPassClient(BASE, API_KEY, PUBLIC_KEY, SECRET_KEY, http=http)
        await client.aclose()
        assert not http.is_closed
        assert await client.balance() == 100_050


async def test_owned_http_client_is_closed(fake):
    client = make_client(fake)
    async with client:
        pass
    with pytest.raises(RuntimeError):
        await client.balance()


async def test_closing_stops_a_catalogue_fetch_still_waiting_on_vtpass():
    """The menu warm-up's fetch outlives its cancelled waiter; it must not outlive the client."""
    arrived, stopped = asyncio.Event(), asyncio.Event()

    async def never_answers(_request: httpx.Request) -> httpx.Response:
        arrived.set()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        raise AssertionError("unreachable")

    client = VTPassClient(
        BASE, API_KEY, PUBLIC_KEY, SECRET_KEY, transport=httpx.MockTransport(never_answers)
    )
    waiter = asyncio.create_task(client.catalogue.categories())
    await arrived.wait()
    waiter.cancel()
    await client.aclose()
    assert stopped.is_set()


async def test_http_and_transport_are_exclusive(fake):
    async with httpx.AsyncClient() as http:
        with pytest.raises(ValueError, match="either"):
            VTPassClient(
                BASE,
                API_KEY,
                PUBLIC_KEY,
                SECRET_KEY,
                http=http,
                transport=httpx.MockTransport(fake),
            )
