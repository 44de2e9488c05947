"""The registered channels: a new channel is an adapter module plus one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from gateway.channels import sms, telegram, ussd
from gateway.conversations.context import ProfileFactory


@dataclass(frozen=True, slots=True)
class Channel:
    profile: ProfileFactory  # its `ChannelProfile` from the settings
    routes: Callable[[web.Application], None]  # adds its callback routes


CHANNELS = (
    Channel(ussd.profile, ussd.setup_ussd_routes),
    Channel(telegram.profile, telegram.setup_telegram),
    Channel(sms.profile, sms.setup_sms_routes),
)
PROFILES = tuple(channel.profile for channel in CHANNELS)


def setup_channel_routes(app: web.Application) -> None:
    for channel in CHANNELS:
        channel.routes(app)
