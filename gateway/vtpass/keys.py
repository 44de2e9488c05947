"""The VTPass client's app keys."""

from __future__ import annotations

from aiohttp import web

from gateway.vtpass.client import VTPassClient

vtpass_key = web.AppKey("vtpass", VTPassClient)
# where the client sends: the configured URL, or the embedded simulator's
vtpass_base_url_key = web.AppKey("vtpass_base_url", str)
