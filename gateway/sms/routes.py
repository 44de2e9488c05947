"""The SMS callbacks from Africa's Talking, all under `SMS_AT_BASE` and behind `at_guard`.

`setup_sms_routes(app)` adds them (called by `create_app`): with `PAYLINK_AT_CALLBACK_TOKEN`
set they live only under `/sms/africastalking/{token}/...`, and the allow-list applies, as for
the USSD callback. Another SMS callback (incoming messages: `/inbound`) is one more
`add_at_callback(app, SMS_AT_BASE, suffix, handler)` line, here or in its channel's routes.
"""

from __future__ import annotations

from aiohttp import web

from gateway.channels.at_guard import add_at_callback
from gateway.sms.delivery import delivery_report

SMS_AT_BASE = "/sms/africastalking"


def setup_sms_routes(app: web.Application) -> None:
    add_at_callback(app, SMS_AT_BASE, "/delivery", delivery_report)
