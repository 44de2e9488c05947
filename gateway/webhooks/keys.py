"""The webhooks' app keys."""

from __future__ import annotations

from aiohttp import web

from gateway.webhooks.settler import WebhookSettler

vtpass_webhooks_key = web.AppKey("vtpass_webhooks", WebhookSettler)
