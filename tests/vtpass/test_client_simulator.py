"""VTPassClient over real HTTP against the VTPass simulator (gateway/vtpass/simulator).

Each test drives one sandbox behaviour end to end: the scenario numbers of vtpass.md §5.1, every
class of response code (forced with `/__sim/next-pay` or triggered for real), `014` on a reused
request_id, merchant-verify in both shapes, the whole catalogue and the wallet balance. After
every purchase the test requeries, because that is how the gateway settles anything unclear.
A recording transport counts what actually went over the wire: `/pay` leaves exactly once per
`pay()` call, in every test.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from gateway.clock import FixedClock
from gateway.errors import UpstreamRejected
from gateway.money import Kobo
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.models import Outcome, PayRequest, PayResult
from gateway.vtpass.request_ids import new_request_id
from gateway.vtpass.simulator import RunningSimulator, SimulatorConfig, start_simulator
from gateway.vtpass.webhook_events import parse_webhook

D, P, F, R, N = (
    Outcome.DELIVERED,
    Outcome.PENDING,
    Outcome.FAILED,
    Outcome.REJECTED,
    Outcome.NOT_FOUND,
)


class RecordingTransport(httpx.AsyncBaseTransport):
    """The real HTTP transport (no retries), recording every request it actually sends."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport(retries=0)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path.endswith(f"/api/{path}"))


class Sim:
    """The simulator's `/__sim/` control API."""

    def __init__(self, running: RunningSimulator, http: httpx.AsyncClient) -> None:
        self.running = running
        self._http = http

    async def post(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._http.post(f"{self.running.root_url}__sim/{name}", json=body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def transactions(self, request_id: str | None = None) -> list[dict[str, Any]]:
        params = {"request_id": request_id} if request_id else {}
        response = await self._http.get(f"{self.running.root_url}__sim/transactions", params=params)
        rows: list[dict[str, Any]] = response.json()["transactions"]
        return rows

    async def webhooks(self) -> list[dict[str, Any]]:
        response = await self._http.get(f"{self.running.root_url}__sim/webhooks")
        rows: list[dict[str, Any]] = response.json()["deliveries"]
        return rows


def build_client(
    running: RunningSimulator, transport: httpx.AsyncBaseTransport, **overrides: Any
) -> VTPassClient:
    account = running.config.accounts[0]
    options: dict[str, Any] = {
        "transport": transport,
        "retry_wait_s": 0,
        "read_timeout_s": 5,
        "pay_read_timeout_s": 5,
    }
    options.update(overrides)
    return VTPassClient(
        running.base_url, account.api_key, account.public_key, account.secret_key, **options
    )


@pytest.fixture
def wire() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
async def client(
    simulator: RunningSimulator, wire: RecordingTransport
) -> AsyncIterator[VTPassClient]:
    async with build_client(simulator, wire) as client:
        yield client


@pytest.fixture
async def sim(simulator: RunningSimulator) -> AsyncIterator[Sim]:
    async with httpx.AsyncClient() as http:
        yield Sim(simulator, http)


@pytest.fixture
def rid(sim_clock):
    """Mints request ids on the simulator's clock, so they are 'today' in Lagos."""
    return lambda: new_request_id(sim_clock)


def airtime(request_id: str, phone: str = "08011111111", naira: int = 100) -> PayRequest:
    return PayRequest(request_id, "mtn", phone, amount=Kobo(naira * 100))


async def pay_and_requery(
    client: VTPassClient, request: PayRequest, **requery: Any
) -> tuple[PayResult, PayResult]:
    paid = await client.pay(request)
    again = await client.requery(request.request_id, **requery)
    assert again.request_id == request.request_id
    return paid, again


# --- sandbox scenario numbers (vtpass.md §5.1) ----------------------------------------------------


@pytest.mark.parametrize(
    ("service_id", "phone", "ref", "variation", "naira", "sub", "paid", "requeried"),
    [
        ("mtn", "08011111111", None, None, 100, None, D, D),
        ("mtn-data", "08011111111", "08011111111", "mtn-10mb-100", None, None, D, D),
        ("ikeja-electric", "08011111111", "1111111111111", "prepaid", 2000, None, D, D),
        ("ikeja-electric", "08011111111", "1010101010101", "postpaid", 2000, None, D, D),
        ("dstv", "08011111111", "1212121212", None, 7900, "renew", D, D),
        ("gotv", "08011111111", "1212121212", "gotv-lite", None, "change", D, D),
        ("startimes", "08011111111", "1212121212", "nova", None, None, D, D),
        ("mtn", "201000000000", None, None, 100, None, P, P),  # pending
        ("mtn", "500000000000", None, None, 100, None, P, P),  # unexpected (weird JSON)
        ("mtn", "400000000000", None, None, 100, None, P, P),  # socket closed, no answer
        ("mtn", "08022222222", None, None, 100, None, F, F),  # any other number fails
        ("ikeja-electric", "08011111111", "2222222222222", "prepaid", 2000, None, F, F),
        ("dstv", "08011111111", "9999999999", None, 7900, "renew", F, F),
    ],
)
async def test_scenario_numbers_and_their_requery(
    client, wire, rid, service_id, phone, ref, variation, naira, sub, paid, requeried
):
    request = PayRequest(
        rid(),
        service_id,
        phone,
        amount=Kobo(naira * 100) if naira else None,
        customer_ref=ref,
        variation_code=variation,
        subscription_type=sub,
    )
    result, again = await pay_and_requery(client, request)
    assert result.outcome is paid, result.reason
    assert again.outcome is requeried, again.reason
    assert again.outcome is not N  # anything /pay accepted is known to requery
    if paid is not D:
        assert result.reason
    if variation == "prepaid" and paid is D:
        assert result.token is not None
        assert len(result.token) == 20
        assert again.token == result.token
        assert result.units
    assert wire.count("pay") == 1


async def test_timeout_scenario_is_pending_and_requery_knows_it(simulator, wire, rid):
    # sim timeout_delay_s is 0.5 s; the client gives /pay only 0.2 s
    async with build_client(simulator, wire, pay_read_timeout_s=0.2) as client:
        request = airtime(rid(), phone="300000000000")
        result = await client.pay(request)
        assert result.outcome is P
        assert "no answer in time" in (result.reason or "")
        again = await client.requery(request.request_id)
        assert again.outcome is P
    assert wire.count("pay") == 1


async def test_pending_settles_on_requery_once_the_clock_moves(client, wire, rid, sim_clock):
    request = airtime(rid(), phone="201000000000")
    paid, again = await pay_and_requery(client, request)
    assert (paid.outcome, again.outcome) == (P, P)
    assert paid.description == "TRANSACTION PROCESSING - PENDING"
    sim_clock.advance(31)
    assert (await client.requery(request.request_id)).outcome is D
    assert wire.count("pay") == 1


async def test_pending_resolved_as_failed_and_a_reversal(client, wire, sim, rid):
    pending = airtime(rid(), phone="201000000000")
    await client.pay(pending)
    await sim.post("resolve", {"request_id": pending.request_id, "status": "failed"})
    assert (await client.requery(pending.request_id)).outcome is F

    delivered = airtime(rid())
    assert (await client.pay(delivered)).outcome is D
    await sim.post("reverse", {"request_id": delivered.request_id})
    assert (await client.requery(delivered.request_id)).outcome is Outcome.REVERSED
    assert wire.count("pay") == 2


@pytest.mark.parametrize(
    ("knob", "value", "words"),
    [
        ("unexpected_mode", "html", "HTML"),
        ("unexpected_mode", "unknown_code", "unknown code 777"),
        ("unexpected_mode", "weird_json", "code 000 with status missing"),
        ("no_response_mode", "empty", "empty body"),
        ("no_response_mode", "close", "after sending"),
    ],
)
async def test_every_unexpected_and_no_response_mode_is_pending(
    sim_config, wire, rid, knob, value, words
):
    phone = "500000000000" if knob == "unexpected_mode" else "400000000000"
    config = dataclasses.replace(sim_config, **{knob: value})
    async with start_simulator(config) as running, build_client(running, wire) as client:
        request = airtime(rid(), phone=phone)
        result, again = await pay_and_requery(client, request)
    assert result.outcome is P
    assert words in (result.reason or "")
    assert again.outcome is P
    assert wire.count("pay") == 1


# --- every class of response code ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "http_status", "store_as", "paid", "requeried"),
    [
        *[
            (code, 200, "none", R, N)
            for code in ("010", "011", "012", "013", "017", "018", "019", "028", "085", "087")
        ],
        ("016", 200, "failed", F, F),
        ("099", 200, "pending", P, P),
        ("089", 200, "pending", P, P),
        ("083", 500, "delivered", P, D),  # "error but actually delivered"
        ("083", 500, "none", P, N),
    ],
)
async def test_forced_codes(client, wire, sim, rid, code, http_status, store_as, paid, requeried):
    await sim.post("next-pay", {"code": code, "http_status": http_status, "store_as": store_as})
    request = airtime(rid())
    result, again = await pay_and_requery(client, request)
    assert result.outcome is paid
    assert result.code == code
    assert result.reason
    assert result.http_status == http_status
    assert again.outcome is requeried
    assert wire.count("pay") == 1


async def test_real_rejections_from_validation(client, wire, sim, rid, sim_clock):
    cases: list[tuple[PayRequest, str]] = [
        (airtime("20200101" + rid()[8:]), "085"),  # not today in Lagos
        (PayRequest(rid(), "9mobile", "08011111111", amount=Kobo(10_000)), "012"),
        (PayRequest(rid(), "mtn-data", "08011111111", customer_ref="08011111111",
                    variation_code="no-such-plan"), "010"),
        (PayRequest(rid(), "ikeja-electric", "08011111111", amount=Kobo(200_000),
                    variation_code="prepaid"), "011"),  # no billersCode (meter)
        (airtime(rid(), naira=10), "013"),
        (airtime(rid(), naira=60_000), "017"),
    ]  # fmt: skip
    for request, code in cases:
        result, again = await pay_and_requery(client, request)
        assert (result.outcome, result.code) == (R, code), result
        assert again.outcome is N  # nothing was stored
    assert wire.count("pay") == len(cases)


async def test_real_018_019_028(client, wire, sim, rid):
    first = await client.pay(airtime(rid(), phone="08033333333"))
    duplicate = await client.pay(airtime(rid(), phone="08033333333"))
    assert first.outcome is F
    assert (duplicate.outcome, duplicate.code) == (R, "019")

    await sim.post("whitelist", {"products": ["glo"]})
    assert (await client.pay(airtime(rid()))).code == "028"
    await sim.post("whitelist", {"products": None})

    await sim.post("balance", {"balance": "10.00"})
    low = await client.pay(airtime(rid()))
    assert (low.outcome, low.code) == (R, "018")
    assert "wallet" in (low.reason or "")
    assert wire.count("pay") == 4


async def test_wrong_credentials_087(simulator, wire, rid):
    account = simulator.config.accounts[0]
    async with VTPassClient(
        simulator.base_url, account.api_key, account.public_key, "SK_wrong", transport=wire
    ) as client:
        result = await client.pay(airtime(rid()))
        assert (result.outcome, result.code) == (R, "087")
        with pytest.raises(UpstreamRejected) as info:
            await client.verify("dstv", "1212121212")
        assert info.value.upstream_code == "087"
    async with VTPassClient(
        simulator.base_url, account.api_key, "PK_wrong", account.secret_key, retry_wait_s=0
    ) as client:
        with pytest.raises(UpstreamRejected):
            await client.balance()
    assert wire.count("pay") == 1


async def test_reused_request_id_is_014_pending_and_leaves_the_original_alone(
    client, wire, sim, rid
):
    request = airtime(rid())
    assert (await client.pay(request)).outcome is D
    before = await sim.transactions(request.request_id)
    again = await client.pay(dataclasses.replace(request, phone="08022222222"))
    assert (again.outcome, again.code) == (P, "014")
    assert "requery" in (again.reason or "")
    after = await sim.transactions(request.request_id)
    assert after == before
    assert len(await sim.transactions()) == 1
    assert (await client.requery(request.request_id)).outcome is D
    assert wire.count("pay") == 2  # two pay() calls, each sent once


async def test_requery_of_an_unknown_id_is_not_found(client, rid):
    result = await client.requery(rid())
    assert (result.outcome, result.code) == (N, "015")


# --- product extras through real answers ----------------------------------------------------


async def test_education_and_showmax_pins(client, wire, rid):
    waec = await client.pay(
        PayRequest(rid(), "waec", "08011111111", variation_code="waecdirect", quantity=2)
    )
    assert waec.outcome is D
    assert len(waec.cards) == 2
    assert all(card.serial and card.pin for card in waec.cards)

    registration = await client.pay(
        PayRequest(rid(), "waec-registration", "08011111111", variation_code="waec-registraion")
    )
    assert registration.outcome is D
    assert len(registration.pins) == 1

    jamb = await client.pay(
        PayRequest(rid(), "jamb", "08011111111", customer_ref="0123456789", variation_code="de")
    )
    assert jamb.outcome is D
    assert len(jamb.pins) == 1
    assert jamb.pins[0].isdigit()

    showmax = await client.pay(
        PayRequest(rid(), "showmax", "08011111111", customer_ref="08011111111",
                   variation_code="full")
    )  # fmt: skip
    assert showmax.outcome is D
    assert len(showmax.pins) == 1
    assert wire.count("pay") == 4


@pytest.mark.parametrize("disco", ["jos-electric", "kano-electric", "eko-electric"])
async def test_disco_token_variants(sim_config, wire, rid, disco):
    config = dataclasses.replace(sim_config, disco_variants=True)
    async with start_simulator(config) as running, build_client(running, wire) as client:
        request = PayRequest(rid(), disco, "08011111111", Kobo(300_000), "1111111111111", "prepaid")
        result, again = await pay_and_requery(client, request, expects_token=True)
    assert result.outcome is D, result.reason
    assert result.token is not None
    assert result.token.isdigit()
    assert len(result.token) == 20
    assert result.units
    assert again.outcome is D
    assert wire.count("pay") == 1


@pytest.mark.parametrize("reversed_code", ["000", "040"])
async def test_legacy_dates_and_reversal_codes(sim_config, wire, rid, sim_clock, reversed_code):
    config = dataclasses.replace(
        sim_config, response_date_format="legacy_object", reversed_code=reversed_code
    )
    async with (
        start_simulator(config) as running,
        build_client(running, wire) as client,
        httpx.AsyncClient() as http,
    ):
        request = airtime(rid())
        result = await client.pay(request)
        assert result.outcome is D
        assert result.transaction_date == sim_clock.now()
        await Sim(running, http).post("reverse", {"request_id": request.request_id})
        again = await client.requery(request.request_id)
    assert again.outcome is Outcome.REVERSED
    assert wire.count("pay") == 1


# --- verify ------------------------------------------------------------------------------------


async def test_verify_success_shapes(client):
    prepaid = await client.verify("ikeja-electric", "1111111111111", type="prepaid")
    assert (prepaid.valid, prepaid.customer_name, prepaid.meter_type) == (
        True,
        "TESTMETER1",
        "PREPAID",
    )
    postpaid = await client.verify("eko-electric", "1010101010101", type="postpaid")
    assert (postpaid.valid, postpaid.meter_type) == (True, "POSTPAID")
    tv = await client.verify("dstv", "1212121212")
    assert tv.valid
    assert (tv.current_bouquet_code, tv.renewal_amount) == ("dstv79", 790_000)
    jamb = await client.verify("jamb", "0123456789", type="utme-mock")
    assert (jamb.valid, jamb.customer_name) == (True, "Capital James")
    smile = await client.verify("smile-direct", "tester@sandbox.com")
    assert smile.valid
    assert len(smile.accounts) == 1


@pytest.mark.parametrize(
    ("service_id", "ref", "kind", "words"),
    [
        ("ikeja-electric", "1234567890123", "prepaid", "not a valid Ikeja Electric prepaid meter"),
        ("ikeja-electric", "1111111111111", "postpaid", "postpaid"),  # right meter, wrong type
        ("dstv", "0000000000", None, "Smartcard"),
        ("jamb", "999", "utme-mock", None),
    ],
)
async def test_verify_failure_shape_is_code_000_with_error(client, service_id, ref, kind, words):
    info = await client.verify(service_id, ref, type=kind)
    assert not info.valid
    assert info.error
    if words:
        assert words in info.error


async def test_verify_wrong_billers_code_as_string(sim_config, wire):
    config = dataclasses.replace(sim_config, wrong_billers_code_as_string=True)
    async with start_simulator(config) as running, build_client(running, wire) as client:
        assert not (await client.verify("ikeja-electric", "123", type="prepaid")).valid
        assert (await client.verify("ikeja-electric", "1111111111111", type="prepaid")).valid


@pytest.mark.parametrize(
    ("service_id", "kind", "code"),
    [("no-such-service", None, "012"), ("ikeja-electric", None, "011")],  # 011: type missing
)
async def test_verify_refusals_raise(client, service_id, kind, code):
    with pytest.raises(UpstreamRejected) as info:
        await client.verify(service_id, "1111111111111", type=kind)
    assert info.value.upstream_code == code


# --- catalogue and balance -----------------------------------------------------------------------


async def test_the_whole_catalogue_parses(client, wire):
    categories = await client.categories()
    assert {c.identifier for c in categories} >= {
        "airtime",
        "data",
        "tv-subscription",
        "electricity-bill",
        "education",
        "insurance",
    }
    seen_plans = 0
    for category in categories:
        services = await client.services(category.identifier)
        for service in services:
            assert service.category == category.identifier
            assert service.product_type in {"fix", "flexible"}
            variations = await client.variations(service.service_id)
            seen_plans += len(variations)
            assert all(v.code and v.amount >= 0 for v in variations)
            if service.product_type == "fix":
                assert variations, service.service_id
    assert seen_plans > 50
    assert wire.count("pay") == 0


async def test_catalogue_drift_reaches_the_models(client):
    (mtn,) = [s for s in await client.services("airtime") if s.service_id == "mtn"]
    assert (mtn.product_type, mtn.min_amount, mtn.max_amount) == ("flexible", 5_000, 5_000_000)
    spectranet = await client.variations("spectranet")  # numeric variation_amount
    assert spectranet
    assert all(v.amount > 0 for v in spectranet)
    dstv = {v.code: v for v in await client.variations("dstv")}
    assert dstv["dstv79"].amount == 790_000
    assert await client.variations("ikeja-electric") == []


async def test_catalogue_refusals(client):
    with pytest.raises(UpstreamRejected) as info:
        await client.services("no-such-category")
    assert info.value.upstream_code == "011"
    with pytest.raises(UpstreamRejected) as info:
        await client.variations("no-such-service")
    assert info.value.upstream_code == "012"


async def test_cached_catalogue_over_real_http(client, wire, sim_clock):
    for _ in range(3):
        await client.catalogue.variations("mtn-data")
        await client.catalogue.services("data")
    assert sum(1 for r in wire.requests if r.url.path.endswith("service-variations")) == 1
    assert sum(1 for r in wire.requests if r.url.path.endswith("/services")) == 1


async def test_balance_moves_by_total_amount(client, wire, rid, sim):
    start = await client.balance()
    assert start == 10_000_000  # 100,000.00 naira
    result = await client.pay(airtime(rid(), naira=100))
    assert result.total_amount == 9_650  # 100 - 3.5% commission
    assert await client.balance() == start - result.total_amount
    await sim.post("balance", {"balance": "1234.56"})
    assert await client.balance() == 123_456
    assert wire.count("pay") == 1


# --- webhooks ---------------------------------------------------------------------------------


async def test_webhooks_from_the_simulator_parse(client, wire, sim, rid, aiohttp_server):
    received: list[bytes] = []

    async def callback(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.json_response({"response": "success"})

    app = web.Application()
    app.router.add_post("/vtpass", callback)
    server = await aiohttp_server(app)
    await sim.post("callback", {"url": str(server.make_url("/vtpass"))})

    request = airtime(rid(), phone="201000000000")
    assert (await client.pay(request)).outcome is P
    await sim.post("resolve", {"request_id": request.request_id, "status": "delivered"})
    await sim.post(
        "variations-update",
        {
            "serviceID": "glo-data",
            "new_variations": [
                {"variation_code": "glo-x", "name": "X", "variation_amount": "150.00"}
            ],
        },
    )
    for _ in range(200):
        if len(received) >= 2:
            break
        await asyncio.sleep(0.01)
    events = [parse_webhook(body) for body in received]
    kinds = {e.kind: e for e in events}
    update = kinds["transaction-update"]
    assert update.request_id == request.request_id
    assert update.result is not None
    assert update.result.outcome is D
    assert kinds["variations-update"].service_id == "glo-data"
    assert wire.count("pay") == 1


def test_fixture_clock_is_the_one_the_tests_assume(
    sim_clock: FixedClock, sim_config: SimulatorConfig
) -> None:
    assert sim_config.clock is sim_clock
    assert new_request_id(sim_clock).startswith("202611271100")
