"""`POST /webhooks/vtpass/{token}`: VTPass's callback, verified by path token, settled by requery.

The token is compared in constant time (digests of equal length, so neither content nor
length leaks), and a wrong or unconfigured token is a plain 404, as if the route did not
exist. Every readable delivery is answered `{"response":"success"}` at once, since VTPass
retries otherwise; the work happens in `WebhookSettler`'s background tasks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from gateway.keys import clock_key, redis_key, settings_key
from gateway.purchases.keys import purchase_service_key
from gateway.security.path_tokens import token_matches
from gateway.vtpass.keys import vtpass_key
from gateway.vtpass.models import WebhookEvent
from gateway.vtpass.reading import MalformedResponse
from gateway.vtpass.webhook_events import parse_webhook
from gateway.webhooks.keys import vtpass_webhooks_key
from gateway.webhooks.outcomes import claimed_outcome, outcome_key
from gateway.webhooks.settler import WebhookSettler

logger = logging.getLogger(__name__)

ROUTE = "/webhooks/vtpass/{token}"
_ACK = {"response": "success"}


def dedupe_key(event: WebhookEvent) -> str:
    """(request_id, what the webhook claims), in the words a requery's finding is kept in:
    redeliveries share it, a later reversal does not (see `settler.py`)."""
    return outcome_key(event.request_id or "", claimed_outcome(event.result))


async def vtpass_webhook(request: web.Request) -> web.Response:
    app = request.app
    if not token_matches(request.match_info["token"], app[settings_key].vtpass_webhook_token):
        raise web.HTTPNotFound()
    raw = await request.read()
    try:
        event = parse_webhook(raw)
    except MalformedResponse as exc:
        # acknowledged anyway: a redelivery of the same bytes cannot read better, and the
        # requery sweep settles every open purchase without any webhook
        logger.warning("unreadable VTPass webhook (%s): %r", exc, raw[:300])
        return web.json_response(_ACK)
    if event.kind == "transaction-update" and event.request_id:
        settler = app[vtpass_webhooks_key]
        key = dedupe_key(event)
        if await settler.first_delivery(key):
            settler.settle_later(event.request_id, key, json.loads(raw))
        else:
            logger.info("duplicate VTPass webhook %s ignored", key)
    elif event.kind == "variations-update":
        catalogue = app[vtpass_key].catalogue
        if event.service_id:
            catalogue.invalidate_variations(event.service_id)
        else:
            catalogue.invalidate()
        logger.info("VTPass variations changed for %s; cache dropped", event.service_id or "all")
    else:
        logger.info("VTPass webhook of type %s without a request id; acknowledged", event.kind)
    return web.json_response(_ACK)


async def vtpass_webhooks_ctx(app: web.Application) -> AsyncIterator[None]:
    """The webhook's dedupe memory and background requeries, for the app's lifetime."""
    settings = app[settings_key]
    settler = WebhookSettler(
        app[purchase_service_key],
        app[vtpass_key],
        app[clock_key],
        redis=app.get(redis_key),
        redis_prefix=settings.redis_prefix,
    )
    app[vtpass_webhooks_key] = settler
    try:
        yield
    finally:
        await settler.close()


def setup_vtpass_webhook_routes(app: web.Application) -> None:
    app.router.add_post(ROUTE, vtpass_webhook)
