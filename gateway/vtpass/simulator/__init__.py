"""A local VTPass sandbox: the `/api/` endpoints of vtpass.md and a `/__sim/` control API.

Used by the gateway's embedded mode (`PAYLINK_VTPASS_MODE=simulator`), by `paylink simulator`
and by tests, always over real HTTP so the client's transport and parsing are exercised.
"""

from gateway.vtpass.simulator.app import create_simulator_app
from gateway.vtpass.simulator.config import DEMO_ACCOUNT, SimAccount, SimulatorConfig
from gateway.vtpass.simulator.keys import state_key
from gateway.vtpass.simulator.products import Limits
from gateway.vtpass.simulator.server import RunningSimulator, run_simulator, start_simulator
from gateway.vtpass.simulator.state import SimulatorState

__all__ = [
    "DEMO_ACCOUNT",
    "Limits",
    "RunningSimulator",
    "SimAccount",
    "SimulatorConfig",
    "SimulatorState",
    "create_simulator_app",
    "run_simulator",
    "start_simulator",
    "state_key",
]
