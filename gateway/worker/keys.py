"""The worker's app keys."""

from __future__ import annotations

from aiohttp import web

from gateway.worker.notifier import Notifiers
from gateway.worker.runner import Worker, WorkerConfig
from gateway.worker.wakeup import WorkerWakeUp

worker_config_key = web.AppKey("worker_config", WorkerConfig)  # optional: tests tune the worker
worker_key = web.AppKey("worker", Worker)
# the same object as `gateway.purchases.keys.wakeup_key`, seen with the worker's methods
worker_wakeup_key = web.AppKey[WorkerWakeUp]("worker_wakeup")
# each channel's outbox sender, filled by `gateway.worker.context.register_notifier`
notifiers_key = web.AppKey("notifiers", Notifiers)
