"""`sms_ctx`: the Africa's Talking sender for the app's lifetime, when AT credentials are set.

Placed before `worker_ctx` (which reads the notifier registry when it builds the worker) and
so closed after it: the worker's last sends finish before the thread pool goes. Without
`AT_USERNAME` and `AT_API_KEY` (the embedded default) nothing is registered and the outbox's
SMS go to the log, readable with `paylink outbox`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from gateway.keys import settings_key
from gateway.sms.sender import AtSmsSender
from gateway.worker.context import register_notifier

logger = logging.getLogger(__name__)


async def sms_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[settings_key]
    if not settings.sends_sms:
        yield
        return
    sender = AtSmsSender.from_settings(settings)
    register_notifier(app, "sms", sender)
    logger.info("SMS go out through Africa's Talking at %s", settings.at_api_base)
    try:
        yield
    finally:
        sender.close()
