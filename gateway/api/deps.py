"""What views take from the application: typed accessors over the app keys."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.api.auth import Authenticator
from gateway.api.keys import api_auth_key
from gateway.clock import Clock
from gateway.keys import clock_key, db_key, settings_key
from gateway.purchases.keys import purchase_service_key
from gateway.purchases.ordering import OrderPricer
from gateway.purchases.service import PurchaseService
from gateway.security.keys import pin_service_key
from gateway.security.pins import PinService
from gateway.settings import Settings
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.keys import vtpass_key


def db(request: web.Request) -> async_sessionmaker[AsyncSession]:
    return request.app[db_key]


def clock(request: web.Request) -> Clock:
    return request.app[clock_key]


def settings(request: web.Request) -> Settings:
    return request.app[settings_key]


def authenticator(request: web.Request) -> Authenticator:
    return request.app[api_auth_key]


def purchases(request: web.Request) -> PurchaseService:
    return request.app[purchase_service_key]


def pins(request: web.Request) -> PinService:
    """Every PIN check and change of the API (the pepper and the bound live there)."""
    return request.app[pin_service_key]


def pricer(request: web.Request) -> OrderPricer:
    """The server-side pricing every order goes through (wired with the purchase service)."""
    found = purchases(request).pricer
    if found is None:  # `purchases_ctx` always wires one
        raise RuntimeError("the purchase service has no pricer")
    return found


def vtpass(request: web.Request) -> VTPassClient:
    return request.app[vtpass_key]
