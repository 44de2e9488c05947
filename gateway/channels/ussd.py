"""Africa's Talking USSD: `POST /ussd/africastalking` and its end-of-session events.

Both routes are added through `at_guard`: with `PAYLINK_AT_CALLBACK_TOKEN` set they live at
`/ussd/africastalking/{token}` and `/ussd/africastalking/{token}/events` only.

AT posts a form per hop (channels.md A1) and wants `text/plain` starting `CON ` or `END `
(A2); anything else, a 5xx included, fails the user's session. So this adapter answers every
request, however malformed, with a `CON`/`END` line. AT-specific, and kept here:

- `text` is the whole input history joined by `*`: `decode_history` (the profile's decoder)
  yields only the segments past those the conversation consumed, so a resent hop (same text:
  the delivery id) or an older one (fewer segments) changes nothing;
- an empty `text` is a dial: it opens a new session (`Inbound.input` None);
- extra segments dialled after the service code (`*347*88*1*500#`) arrive either as the first
  `text` or in `serviceCode`; both become the engine's dial-string shortcut;
- AT's end statuses: `Incomplete`/`Failed` mean the session dropped, kept for resuming.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from aiohttp import web

from gateway.channels.at_guard import add_at_callback
from gateway.conversations.contract import ChannelProfile, Decoded, Inbound, Reply, Sender
from gateway.conversations.coordinator import Coordinator
from gateway.conversations.failures import masked_traceback
from gateway.conversations.keys import coordinators_key
from gateway.flows.screens import USSD, render
from gateway.logs import mask_msisdn
from gateway.phones import normalize_phone
from gateway.settings import Settings

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
NAME = "ussd"
SESSION_TTL_S = 180.0  # AT ends every session by then
DROPPED = frozenset({"Incomplete", "Failed"})  # AT end statuses of a session cut short


def split_text(text: str) -> tuple[str, ...]:
    """AT's input history as a tuple of inputs (`""` is no input yet)."""
    return tuple(text.split("*")) if text else ()


def code_extras(service_code: str) -> tuple[str, ...]:
    """Segments dialled after the base code: `*347*88*1*500#` -> ("1", "500")."""
    if not _CODE.fullmatch(service_code):
        return ()
    parts = [p for p in service_code.strip("*#").split("*") if p]
    return tuple(parts[BASE_CODE_SEGMENTS:])


def decode_history(text: str, consumed: int) -> Decoded:
    """AT's `*`-joined history against the `consumed` segments already fed to the engine.

    More than one new segment means an answer that itself contained a `*` (AT splits it in
    two): they are joined back into one input.
    """
    inputs = split_text(text)
    new = "*".join(inputs[consumed:]) if len(inputs) > consumed else None
    return Decoded(inputs, new, len(inputs))


def profile(settings: Settings) -> ChannelProfile:
    """The USSD channel: 160 GSM-7 characters a screen, AT's 180 s sessions, one key a session."""
    return ChannelProfile(
        NAME,
        USSD,
        SESSION_TTL_S,
        reply_budget_s=settings.ussd_reply_budget_s,
        decode=decode_history,
        reopens=False,
    )


def parse_form(form: Mapping[str, object]) -> Inbound | str:
    """The message this form describes, or the `END` line to answer a bad one with."""
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
    extras = code_extras(code) if isinstance(code, str) and not text else ()
    return Inbound(
        channel=NAME,
        conversation=session_id,
        sender=Sender(phone=msisdn),
        input=text or None,
        delivery_id=text,  # AT resends a hop with the same text; the history grows otherwise
        shortcut=extras,
    )


def render_reply(reply: Reply) -> str:
    """`CON …` or `END …`."""
    return reply.text if reply.text is not None else render(reply.screen, USSD)


def _coordinator(request: web.Request) -> Coordinator:
    return request.app[coordinators_key][NAME]


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
        reply = await _coordinator(request).handle(parsed)
        return _plain(render_reply(reply))
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
            kept = status in DROPPED and await _coordinator(request).dropped(session_id)
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
