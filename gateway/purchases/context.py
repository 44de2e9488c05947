"""The app's `PurchaseService`, wired to wake the worker whenever a purchase is submitted.

The wake-up is the purchases' own `WakeUp` protocol, set by the worker's `wakeup_ctx`.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator

from aiohttp import web

from gateway.keys import clock_key, db_key, settings_key
from gateway.purchases.keys import purchase_service_key, wakeup_key
from gateway.purchases.models import PurchasePolicy
from gateway.purchases.ordering import OrderPricer
from gateway.purchases.service import PurchaseService
from gateway.security.keys import pin_service_key
from gateway.store.purchases import PurchaseRecord
from gateway.vtpass.keys import vtpass_key


def process_worker_id() -> str:
    """`host:pid:random`, the name leases carry, so an operator can tell whose they are."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def purchases_ctx(app: web.Application) -> AsyncIterator[None]:
    """One `PurchaseService` for every channel and the worker; it pokes the wake-up on submit."""
    wakeup = app[wakeup_key]

    async def wake_worker(_purchase: PurchaseRecord) -> None:
        await wakeup.notify()

    # every order is priced by the server, whichever channel sends it (architecture.md §8)
    pricer = OrderPricer(app[vtpass_key].catalogue, app[db_key], app[clock_key])
    settings = app[settings_key]
    service = PurchaseService(
        app[db_key],
        app[clock_key],
        worker_id=process_worker_id(),
        policy=PurchasePolicy(pending_notice_s=settings.pending_notice_after_s or None),
        on_submitted=wake_worker,
        pricer=pricer,
        sandbox_numbers=settings.sandbox_numbers,
        pins=app.get(pin_service_key),  # absent in `paylink worker`, which only vends
    )
    app[purchase_service_key] = service
    try:
        yield
    finally:
        await service.drain()  # before the database and the wake-up close
