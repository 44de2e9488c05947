"""`worker_ctx`: the worker inside the app's lifetime (`paylink serve` embedded, `paylink worker`).

Started after the database, Redis, the VTPass client and the purchase service; cleanup runs
in reverse, so the worker stops (finishing in-flight purchases) before any of those close.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway.keys import clock_key, redis_key, settings_key
from gateway.purchases.keys import purchase_service_key, wakeup_key
from gateway.settings import Settings
from gateway.vtpass.keys import vtpass_key
from gateway.worker.keys import notifiers_key, worker_config_key, worker_key, worker_wakeup_key
from gateway.worker.notifier import Notifier, Notifiers
from gateway.worker.runner import Worker, WorkerConfig
from gateway.worker.wakeup import LocalWakeUp, RedisWakeUp, WorkerWakeUp


def create_wakeup(app: web.Application) -> WorkerWakeUp:
    """Redis pub/sub when Redis is configured (many processes), else an in-process event."""
    redis = app.get(redis_key)
    if redis is None:
        return LocalWakeUp()
    return RedisWakeUp(redis, f"{app[settings_key].redis_prefix}worker:wake")


async def wakeup_ctx(app: web.Application) -> AsyncIterator[None]:
    """The worker's wake-up for the app's lifetime, under both keys: the purchases' (which
    notify it on every submit) and the worker's (which waits on it). After Redis, before
    `purchases_ctx`; closed after the purchase service has drained."""
    wakeup = create_wakeup(app)
    app[wakeup_key] = wakeup
    app[worker_wakeup_key] = wakeup
    try:
        yield
    finally:
        await wakeup.close()


def runs_worker(settings: Settings) -> bool:
    """Whether `paylink serve` runs the worker in-process.

    `PAYLINK_RUN_WORKER` (a `run_worker` setting) decides when the settings have it; until
    then the embedded default does, and production runs `paylink worker` processes.
    """
    explicit = getattr(settings, "run_worker", None)
    return settings.embedded if explicit is None else bool(explicit)


def register_notifier(app: web.Application, channel: str, notifier: Notifier) -> None:
    """Send `channel`'s outbox messages through `notifier` (e.g. "sms" -> Africa's Talking).

    Call it from the channel's cleanup context, placed before `worker_ctx` (which reads the
    registry when it builds the worker); a channel nobody registers is sent by `LogNotifier`.
    """
    registry = app.get(notifiers_key)
    if registry is None:
        registry = app[notifiers_key] = Notifiers()
    registry.register(channel, notifier)


def build_worker(app: web.Application) -> Worker:
    config = app.get(worker_config_key) or WorkerConfig(
        catalogue_refresh_s=app[settings_key].vtpass_catalogue_ttl_s or None
    )
    client = app[vtpass_key]
    return Worker(
        app[purchase_service_key],
        client,
        wakeup=app[worker_wakeup_key],
        notifiers=app.get(notifiers_key),  # see `register_notifier`
        clock=app[clock_key],
        catalogue=client.catalogue,
        config=config,
    )


async def worker_ctx(app: web.Application, *, always: bool = False) -> AsyncIterator[None]:
    """Run the worker for the app's lifetime when `runs_worker` (or `always`) says so."""
    if not (always or runs_worker(app[settings_key])):
        yield
        return
    worker = build_worker(app)
    app[worker_key] = worker
    worker.start()
    try:
        yield
    finally:
        await worker.stop()
