"""The purchases' app keys."""

from __future__ import annotations

from aiohttp import web

from gateway.purchases.service import PurchaseService
from gateway.purchases.wakeup import WakeUp

purchase_service_key = web.AppKey("purchase_service", PurchaseService)
# set by `gateway.worker.wakeup.wakeup_ctx`, which runs before `purchases_ctx`
wakeup_key = web.AppKey[WakeUp]("purchases_wakeup")
