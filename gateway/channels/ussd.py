"""Africa's Talking USSD: `POST /ussd/africastalking` and its end-of-session events.

Both routes are added through `at_guard`: with `PAYLINK_AT_CALLBACK_TOKEN` set they live at
`/ussd/africastalking/{token}` and `/ussd/africastalking/{token}/events` only.

AT posts a form per hop (channels.md A1) and wants `text/plain` starting `CON ` or `END `
(A2); anything else, a 5xx included, fails the user's session. So this adapter answers every
request, however malformed, with a `CON`/`END` line. AT's `text` is the whole input history
joined by `*`; it is split here and the coordinator feeds only what it has not consumed yet.
Extra segments dialled after the service code (`*347*88*1*500#`) arrive either as the first
`text` or in `serviceCode`; both become the engine's dial-string shortcut.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from aiohttp import web

from gateway.channels.at_guard import add_at_callback
from gateway.conversations.coordinator import Hop
from gateway.conversations.failures import masked_traceback
from gateway.keys import ussd_key
from gateway.logs import mask_msisdn
from gateway.phones import normalize_phone

logger = logging.getLogger(__name__)

ROUTE = "/ussd/africastalking"
EVENTS_SUFFIX = "/events"
EVENTS_ROUTE = ROUTE + EVENTS_SUFFIX  # the token-less form (no PAYLINK_AT_CALLBACK_TOKEN)
MAX_TEXT = 1000  # a 180 s session cannot type more; anything longer is not a handset
BASE_CODE_SEGMENTS = 2  # `*347*88#`: a shared code and our channel; more is a shortcut
_SESSION_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_CODE = re.compile(r"\*[0-9*]*#?")

BAD_REQUEST = "END Sorry, this request could not be read. Please dial again."
NOT_NIGERIAN = "END Sorry, PayLink serves Nigerian mobile numbers only."
TOO_LONG = "END Too much input. Please dial again."
FAILED = "END Sorry, something went wrong. Please dial again."


def split_text(text: str) -> tuple[str, ...]:
    """AT's input history as a tuple of inputs (`""` is no input yet)."""
    return tuple(text.split("*")) if text else ()


def code_extras(service_code: str) -> tuple[str, ...]:
    """Segments dialled after the base code: `*347*88*1*500#` -> ("1", "500")."""
    if not _CODE.fullmatch(service_code):
        return ()
    parts = [p for p in service_code.strip("*#").split("*") if p]
    return tuple(parts[BASE_CODE_SEGMENTS:])


def parse_form(form: Mapping[str, object]) -> Hop | str:
    """The hop this form describes, or the `END` line to answer a bad one with."""
    session_id, phone, text = (form.get(k) for k in ("sessionId", "phoneNumber", "text"))
    code = form.get("serviceCode")
    if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
        return BAD_REQUEST
    if not isinstance(phone, str):
        return BAD_REQUEST
    try:
        msisdn = normalize_phone(phone.strip())
    except ValueError:
        return NOT_NIGERIAN
    text = text if isinstance(text, str) else ""
    if len(text) > MAX_TEXT:
        return TOO_LONG
    inputs = split_text(text)
    extras = code_extras(code) if isinstance(code, str) and not inputs else ()
    return Hop(session_id=session_id, phone=msisdn, text=text, inputs=inputs, shortcut=extras)


def _plain(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, content_type="text/plain", status=status)


def _too_large(what: str) -> None:
    """A body over the server's limit: no handset sends one, so it is a client's mistake or a
    probe, worth a WARNING line, never an ERROR with a traceback."""
    logger.warning("USSD %s with a body over the size limit refused", what)


async def ussd_callback(request: web.Request) -> web.Response:
    """One hop: 200 with `CON …` or `END …` (413 with `END …` for a body over the limit)."""
    try:
        form = await request.post()
        parsed = parse_form(form)
        if isinstance(parsed, str):
            logger.info("unreadable USSD request answered with END: %s", parsed[4:])
            return _plain(parsed)
        reply = await request.app[ussd_key].handle(parsed)
        return _plain(reply.text)
    except web.HTTPRequestEntityTooLarge:
        _too_large("request")
        return _plain(TOO_LONG, status=web.HTTPRequestEntityTooLarge.status_code)
    except Exception as exc:  # AT must still get an END
        logger.error("USSD request failed before an answer\n%s", masked_traceback(exc))
        return _plain(FAILED)


async def ussd_events(request: web.Request) -> web.Response:
    """End-of-session notification; `Incomplete`/`Failed` keep the session for resuming."""
    try:
        form = await request.post()
        session_id, status = form.get("sessionId"), form.get("status")
        if (
            isinstance(session_id, str)
            and _SESSION_ID.fullmatch(session_id)
            and isinstance(status, str)
            and status.isalpha()
        ):
            kept = await request.app[ussd_key].session_ended(session_id, status)
            logger.info(
                "USSD session %s ended %s (phone %s)%s",
                session_id,
                status[:20],
                _masked(form.get("phoneNumber")),
                ", kept for resuming" if kept else "",
            )
    except web.HTTPRequestEntityTooLarge:
        _too_large("event")
    except Exception as exc:  # AT ignores the body; a 5xx would only make it retry
        logger.error("USSD events notification failed\n%s", masked_traceback(exc))
    return _plain("OK")


def _masked(phone: object) -> str:
    try:
        return mask_msisdn(normalize_phone(phone)) if isinstance(phone, str) else "?"
    except ValueError:
        return "?"  # not a Nigerian number: never logged in full


def setup_ussd_routes(app: web.Application) -> None:
    add_at_callback(app, ROUTE, "", ussd_callback)
    add_at_callback(app, ROUTE, EVENTS_SUFFIX, ussd_events)
