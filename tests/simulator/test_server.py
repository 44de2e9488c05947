"""Running the simulator: URLs, clean shutdown with work in flight, latency, throughput."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import replace
from typing import Any

import httpx
from aiohttp import web

from gateway.vtpass.simulator import (
    SimulatorState,
    create_simulator_app,
    run_simulator,
    start_simulator,
    state_key,
)

AIRTIME = {"serviceID": "mtn", "amount": 100}


def our_tasks(name: str) -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == name and not t.done()]


async def test_running_simulator_exposes_urls_config_and_state(simulator, sim_config):
    assert simulator.base_url.startswith("http://127.0.0.1:")
    assert simulator.base_url == simulator.root_url + "api/"
    assert simulator.config is sim_config
    assert isinstance(simulator.state, SimulatorState)


def test_app_holds_its_state_under_state_key(sim_config):
    app = create_simulator_app(sim_config)
    assert isinstance(app, web.Application)
    assert app[state_key].config is sim_config


async def test_shutdown_wakes_a_pay_sleeping_through_the_timeout_scenario(sim_config, vt):
    config = replace(sim_config, timeout_delay_s=60.0)
    request_id = vt.request_id()
    started = time.monotonic()
    async with start_simulator(config) as sim:
        vt.sim = sim
        paying = asyncio.create_task(vt.pay(request_id=request_id, **AIRTIME, phone="300000000000"))
        while request_id not in sim.state.transactions:
            await asyncio.sleep(0.01)
    body = await paying
    assert time.monotonic() - started < 5
    assert body["response_description"] == "TRANSACTION PROCESSING - PENDING"


async def test_shutdown_cancels_pending_resolution_timers(sim_config, vt):
    async with start_simulator(replace(sim_config, pending_resolve_after_s=60.0)) as sim:
        vt.sim = sim
        await vt.pay(**AIRTIME, phone="201000000000")
        assert our_tasks("pending-resolution")
    assert our_tasks("pending-resolution") == []


async def test_shutdown_cancels_webhooks_in_flight(sim_config, vt):
    hanging = asyncio.Event()

    async def never_answers(request):
        hanging.set()
        await asyncio.sleep(30)
        return web.json_response({"response": "success"})

    hook_app = web.Application()
    hook_app.router.add_post("/hook", never_answers)
    runner = web.AppRunner(hook_app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with start_simulator(replace(sim_config, webhook_timeout_s=30.0)) as sim:
            vt.sim = sim
            await vt.control("callback", {"url": f"http://127.0.0.1:{runner.addresses[0][1]}/hook"})
            request_id = vt.request_id()
            await vt.pay(request_id=request_id, **AIRTIME, phone="201000000000")
            await vt.control("resolve", {"request_id": request_id, "status": "delivered"})
            await asyncio.wait_for(hanging.wait(), 5)
        assert our_tasks("webhook") == []
    finally:
        await runner.cleanup()


async def test_run_simulator_serves_until_cancelled(sim_config):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serving = asyncio.create_task(run_simulator(sim_config, port=port))
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                try:
                    response = await http.get(f"http://127.0.0.1:{port}/__sim/clock")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.01)
        assert response.status_code == 200
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)
    assert serving.cancelled()


async def test_latency_is_served_concurrently(vt):
    await vt.control("latency", {"seconds": 0.3})
    started = time.monotonic()
    await asyncio.gather(*(vt.get("balance") for _ in range(50)))
    assert time.monotonic() - started < 1.5


async def test_three_hundred_pays_are_fast(vt):
    request_ids = [vt.request_id() for _ in range(300)]
    started = time.monotonic()
    bodies = await asyncio.gather(
        *(vt.pay(request_id=r, **AIRTIME, phone="08011111111") for r in request_ids)
    )
    assert time.monotonic() - started < 10
    assert all(b["code"] == "000" for b in bodies)
