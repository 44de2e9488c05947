"""Typed aiohttp keys: the simulator state on the app, the caller's account on a request."""

from __future__ import annotations

from aiohttp import web

from gateway.vtpass.simulator.accounts import AccountState
from gateway.vtpass.simulator.state import SimulatorState

state_key = web.AppKey("vtpass_simulator_state", SimulatorState)
account_key = web.RequestKey("vtpass_simulator_account", AccountState)
