"""Running the simulator on a real TCP socket: in-process (`start_simulator`) or standalone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from gateway.vtpass.simulator.app import create_simulator_app
from gateway.vtpass.simulator.config import SimulatorConfig
from gateway.vtpass.simulator.keys import state_key
from gateway.vtpass.simulator.state import SimulatorState

logger = logging.getLogger(__name__)
_SHUTDOWN_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class RunningSimulator:
    """A started simulator: point a VTPass client at `base_url`; control it at `root_url`."""

    base_url: str  # "http://127.0.0.1:PORT/api/"
    root_url: str  # "http://127.0.0.1:PORT/" (the control API lives under __sim/)
    config: SimulatorConfig
    state: SimulatorState


@asynccontextmanager
async def start_simulator(
    config: SimulatorConfig,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    access_log: bool = False,
) -> AsyncIterator[RunningSimulator]:
    """Serve the simulator until the block exits; port 0 picks a free port."""
    app = create_simulator_app(config)
    runner = web.AppRunner(
        app,
        access_log=logging.getLogger("aiohttp.access") if access_log else None,
        shutdown_timeout=_SHUTDOWN_TIMEOUT_S,
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        shown_host = f"[{host}]" if ":" in host else host
        root_url = f"http://{shown_host}:{bound_port}/"
        yield RunningSimulator(
            base_url=f"{root_url}api/",
            root_url=root_url,
            config=config,
            state=app[state_key],
        )
    finally:
        await runner.cleanup()


async def run_simulator(config: SimulatorConfig, host: str = "127.0.0.1", port: int = 8090) -> None:
    """Serve until cancelled (`paylink simulator --port 8090`)."""
    async with start_simulator(config, host, port, access_log=True) as running:
        logger.info(
            "VTPass simulator serving %s (control API: %s__sim/)",
            running.base_url,
            running.root_url,
        )
        await asyncio.Event().wait()
