"""The simulator's app and request keys."""

from __future__ import annotations

from aiohttp import web

from gateway.paystack.simulator.state import PaystackState

state_key = web.AppKey("paystack_state", PaystackState)
key_key = web.RequestKey("paystack_secret_key", str)  # the authenticated key
