"""A `/pay` whose client went away is still processed, as VTPass would, so a requery finds it.

The attack these prevent is a false "never paid": a gateway worker killed while its `/pay` is
in flight, and a simulator that quietly drops that payment, would let a later requery answer
015 and the purchase be sent again. Each test cuts the client off mid-request, then asks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from gateway.vtpass.simulator import RunningSimulator, create_simulator_app, state_key
from tests.simulator.conftest import SimClient

AIRTIME = {"serviceID": "mtn", "amount": 100, "phone": "08011111111"}


async def pay_and_hang_up(vt: SimClient, request_id: str) -> None:
    """Send a `/pay` and drop the connection before the (slow) answer comes."""
    with pytest.raises(httpx.ReadTimeout):
        await vt.http.post(
            vt.sim.base_url + "pay",
            json={"request_id": request_id, **AIRTIME},
            headers=vt.post_headers,
            timeout=httpx.Timeout(5.0, read=0.1),
        )


async def pay_requests(vt: SimClient, request_id: str) -> int:
    response = await vt.http.get(
        f"{vt.sim.root_url}__sim/pay-requests", params={"request_id": request_id}
    )
    return int(response.json()["pay_requests"][request_id])


async def requery_until_found(vt: SimClient, request_id: str) -> dict[str, object]:
    for _ in range(100):
        body = await vt.requery(request_id)
        if body.get("code") == "000":
            return dict(body["content"]["transactions"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"the simulator never stored {request_id}: {body}")


async def test_a_pay_whose_client_hung_up_during_the_latency_is_delivered(vt):
    await vt.control("latency", {"seconds": 0.4})
    request_id = vt.request_id()

    await pay_and_hang_up(vt, request_id)
    await vt.control("latency", {"seconds": 0})

    found = await requery_until_found(vt, request_id)
    assert found["status"] == "delivered"
    assert await pay_requests(vt, request_id) == 1


@pytest.fixture
async def cancelling_simulator(sim_config) -> AsyncIterator[RunningSimulator]:
    """The simulator behind a server that cancels a handler when its client disconnects."""
    app = create_simulator_app(sim_config)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    root = f"http://127.0.0.1:{runner.addresses[0][1]}/"
    try:
        yield RunningSimulator(f"{root}api/", root, sim_config, app[state_key])
    finally:
        await runner.cleanup()


async def test_a_server_that_cancels_abandoned_handlers_still_records_the_pay(
    cancelling_simulator, vt, caplog
):
    vt.sim = cancelling_simulator
    await vt.control("latency", {"seconds": 0.4})
    request_id = vt.request_id()

    with caplog.at_level(logging.ERROR):
        await pay_and_hang_up(vt, request_id)
        await vt.control("latency", {"seconds": 0})
        found = await requery_until_found(vt, request_id)

    assert found["status"] == "delivered"
    assert not [r for r in caplog.records if r.name.startswith("aiohttp")]


async def test_a_second_pay_with_one_request_id_is_counted_though_nothing_is_stored(vt):
    request_id = vt.request_id()
    await vt.pay(request_id=request_id, **AIRTIME)

    repeat = await vt.pay(request_id=request_id, **AIRTIME)

    assert repeat["code"] != "000"
    assert await vt.stored_count() == 1
    assert await pay_requests(vt, request_id) == 2
    assert await pay_requests(vt, vt.request_id()) == 0
