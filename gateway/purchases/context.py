"""The app's `PurchaseService`, wired to wake the worker whenever a purchase is submitted."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator

from aiohttp import web

from gateway.keys import (
    clock_key,
    db_key,
    purchase_service_key,
    redis_key,
    settings_key,
    vtpass_key,
    wakeup_key,
)
from gateway.purchases.ordering import OrderPricer
from gateway.purchases.service import PurchaseService
from gateway.store.purchases import PurchaseRecord
from gateway.worker.wakeup import LocalWakeUp, RedisWakeUp, WakeUp


def process_worker_id() -> str:
    """`host:pid:random`, the name leases carry, so an operator can tell whose they are."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def create_wakeup(app: web.Application) -> WakeUp:
    """Redis pub/sub when Redis is configured (many processes), else an in-process event."""
    redis = app.get(redis_key)
    if redis is None:
        return LocalWakeUp()
    return RedisWakeUp(redis, f"{app[settings_key].redis_prefix}worker:wake")


async def purchases_ctx(app: web.Application) -> AsyncIterator[None]:
    """One `PurchaseService` (and the worker wake-up it pokes) for every channel and the worker."""
    wakeup = create_wakeup(app)

    async def wake_worker(_purchase: PurchaseRecord) -> None:
        await wakeup.notify()

    app[wakeup_key] = wakeup
    # every order is priced by the server, whichever channel sends it (architecture.md §8)
    pricer = OrderPricer(app[vtpass_key].catalogue, app[db_key], app[clock_key])
    service = PurchaseService(
        app[db_key],
        app[clock_key],
        worker_id=process_worker_id(),
        on_submitted=wake_worker,
        pricer=pricer,
        sandbox_numbers=app[settings_key].sandbox_numbers,
    )
    app[purchase_service_key] = service
    try:
        yield
    finally:
        await service.drain()  # before the database closes
        await wakeup.close()
