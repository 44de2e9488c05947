"""What views take from the application: typed accessors over the app keys."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.api.auth import Authenticator
from gateway.clock import Clock
from gateway.keys import (
    api_auth_key,
    clock_key,
    db_key,
    purchase_service_key,
    settings_key,
    vtpass_key,
)
from gateway.purchases.ordering import OrderPricer
from gateway.purchases.service import PurchaseService
from gateway.settings import Settings
from gateway.vtpass.client import VTPassClient


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


def pricer(request: web.Request) -> OrderPricer:
    """The server-side pricing every order goes through (wired with the purchase service)."""
    found = purchases(request).pricer
    if found is None:  # `purchases_ctx` always wires one
        raise RuntimeError("the purchase service has no pricer")
    return found


def vtpass(request: web.Request) -> VTPassClient:
    return request.app[vtpass_key]
