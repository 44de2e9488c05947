"""The session record: the engine's conversation plus what a hop needs around it, as JSON.

Why more than the conversation: a message may arrive twice (a telco or bot-API retry), a channel
may resend its whole input history (USSD), and each message must be cheap. So the record also
keeps the channel decoder's cursor (`consumed`), a keyed hash of the last message's delivery id
with the screen it was answered with (a repeated message is answered from here and changes
nothing), the user id (later messages skip the user lookup), whether the PIN was proved in this
conversation (required before a PIN change), and when the last message was (the resume window).

The raw input is never stored (it holds PINs). `rev` is serialised first so the Redis script
can compare it without decoding the JSON (see `sessions.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from gateway.conversations.memo import ValueMemo
from gateway.flows import codec
from gateway.flows.model import Conversation, Option, Screen

RECORD_VERSION = 2  # 2: the answer is the screen itself (each channel renders it)
NO_ANSWER = Screen("")
# the callers' orders in JSON form, by value: every save of a line's sessions encodes the same
_ORDERS_JSON = ValueMemo()


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One channel conversation. `conv` is None once it ended (the answer stays)."""

    phone: str  # E.164, whoever the channel says is on the line
    conv: Conversation | None
    rev: int = 0
    consumed: int = 0  # the channel decoder's cursor (USSD: input segments fed to the engine)
    delivery: str = ""  # keyed hash of the last message's delivery id
    answer: Screen = NO_ANSWER  # what that message was answered
    user_id: int | None = None
    pin_ok: bool = False  # the current PIN was checked in this session
    at: float = 0.0  # POSIX time of the last hop, from the app's clock


def encode(record: SessionRecord) -> bytes:
    """Compact JSON (UTF-8) with `rev` first, then the schema version `v`.

    orjson rather than `json`: every hop saves a record, and this was ~5 of a menu hop's
    ~270 microseconds of gateway CPU (orjson: under 0.5). Same bytes as `json.dumps(body,
    separators=(",", ":"), ensure_ascii=False).encode()` for what a record holds; either
    reads the other's.
    """
    body = {
        "rev": record.rev,
        "v": RECORD_VERSION,
        "phone": record.phone,
        "consumed": record.consumed,
        "delivery": record.delivery,
        "answer": screen_to_dict(record.answer),
        "user_id": record.user_id,
        "pin_ok": record.pin_ok,
        "at": round(record.at, 3),
        "conv": None if record.conv is None else codec.to_dict(record.conv, _ORDERS_JSON),
    }
    return orjson.dumps(body)


def decode(raw: bytes | str) -> SessionRecord:
    """Raises `ValueError` for anything `encode` of this version did not write."""
    try:
        top = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:  # invalid UTF-8 included
        raise ValueError("session record is not JSON") from exc
    if not isinstance(top, dict) or top.get("v") != RECORD_VERSION:
        raise ValueError("unknown session record version")
    conv_raw = top.get("conv")
    try:
        conv = None if conv_raw is None else codec.from_dict(conv_raw)
    except (TypeError, KeyError) as exc:  # codec raises ValueError itself for what it checks
        raise ValueError("malformed conversation") from exc
    rev, consumed, user_id = top.get("rev"), top.get("consumed"), top.get("user_id")
    phone, delivery = top.get("phone"), top.get("delivery")
    try:
        answer = screen_from_dict(top.get("answer"))
    except (TypeError, KeyError, ValueError) as exc:
        raise ValueError("malformed answer") from exc
    pin_ok, at = top.get("pin_ok"), top.get("at")
    if not (
        isinstance(rev, int)
        and isinstance(consumed, int)
        and isinstance(phone, str)
        and isinstance(delivery, str)
        and isinstance(pin_ok, bool)
        and (user_id is None or isinstance(user_id, int))
        and isinstance(at, int | float)
        and not any(isinstance(v, bool) for v in (rev, consumed, user_id, at))
    ):
        raise ValueError("malformed session record")
    return SessionRecord(
        phone=phone,
        conv=conv,
        rev=rev,
        consumed=consumed,
        delivery=delivery,
        answer=answer,
        user_id=user_id,
        pin_ok=pin_ok,
        at=float(at),
    )


def screen_to_dict(screen: Screen) -> dict[str, object]:
    """A screen as JSON; fields at their defaults are left out (records stay small)."""
    body: dict[str, object] = {"m": screen.message}
    if screen.options:
        body["o"] = [[o.key, o.label] for o in screen.options]
    if not screen.expects_input:
        body["i"] = False
    for name in ("ends", "more", "back", "home", "secret"):
        if getattr(screen, name):
            body[name] = True
    if screen.hint is not None:
        body["h"] = screen.hint
    return body


def screen_from_dict(body: object) -> Screen:
    """Raises `ValueError` (or `TypeError`, `KeyError`) for what `screen_to_dict` did not write."""
    if not isinstance(body, dict):
        raise ValueError("screen is not an object")
    message, hint, options = body["m"], body.get("h"), body.get("o", [])
    flags = [body.get(name, default) for name, default in _FLAGS]
    if not (
        isinstance(message, str)
        and (hint is None or isinstance(hint, str))
        and isinstance(options, list)
        and all(isinstance(f, bool) for f in flags)
    ):
        raise ValueError("malformed screen")
    parsed = tuple(Option(*_pair(o)) for o in options)
    expects_input, ends, more, back, home, secret = flags
    return Screen(message, parsed, expects_input, ends, hint, more, back, home, secret)


_FLAGS = (
    ("i", True),
    ("ends", False),
    ("more", False),
    ("back", False),
    ("home", False),
    ("secret", False),
)


def _pair(item: object) -> tuple[str, str]:
    if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
        raise ValueError("malformed option")
    return item[0], item[1]
