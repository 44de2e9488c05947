"""`GET /demo/outbox?phone=...`: the phone page's SMS tab, on the embedded default only.

On the embedded default no SMS leaves the machine: receipts, codes and notices wait in the
outbox, and the `/phone` page shows a phone's messages from here, as `paylink outbox` does in a
terminal. The route is registered only there (SQLite and no Redis: a demo on one machine), so
a gateway with real customers never answers it.
"""

from __future__ import annotations

from aiohttp import web

from gateway.keys import db_key, settings_key
from gateway.phones import normalize_phone
from gateway.store import outbox

LIMIT = 30


async def phone_outbox(request: web.Request) -> web.Response:
    """The phone's newest messages first: only what a handset would show (text and time)."""
    try:
        phone = normalize_phone(request.query.get("phone", ""))
    except ValueError:
        return web.json_response(
            {"error": {"code": "invalid_phone", "message": "give a Nigerian mobile number"}},
            status=422,
            headers={"Cache-Control": "no-store"},
        )
    async with request.app[db_key]() as session:
        messages = await outbox.recent(session, phone=phone, limit=LIMIT)
    items = [
        {
            "id": m.id,
            "channel": m.channel,
            "body": m.body,
            "created_at": m.created_at.isoformat(),
        }
        for m in messages
        if m.channel == "sms"
    ]
    return web.json_response({"items": items}, headers={"Cache-Control": "no-store"})


def setup_demo_routes(app: web.Application) -> None:
    """Only on the embedded default (see the module docstring)."""
    if app[settings_key].embedded:
        app.router.add_get("/demo/outbox", phone_outbox)
