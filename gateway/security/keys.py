"""The security services' app keys."""

from __future__ import annotations

from aiohttp import web

from gateway.security.pins import PinService

pin_service_key = web.AppKey("pin_service", PinService)
