"""The REST API's app keys."""

from __future__ import annotations

from aiohttp import web

from gateway.api.auth import Authenticator

api_auth_key = web.AppKey("api_auth", Authenticator)  # JWTs and their token store
