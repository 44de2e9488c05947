"""The conversation layer's app keys."""

from __future__ import annotations

from aiohttp import web

from gateway.conversations.config import ConversationConfig
from gateway.conversations.coordinator import Coordinators

coordinators_key = web.AppKey("coordinators", Coordinators)  # by channel name
# optional: tests shorten session TTLs and the resume window
conversations_config_key = web.AppKey("conversations_config", ConversationConfig)
