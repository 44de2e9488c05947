"""The session record: the engine's conversation plus what a hop needs around it, as JSON.

Why more than the conversation: a USSD hop resends the whole input history, may arrive twice,
and must be cheap. So the record also keeps how many input segments were consumed, a keyed hash
of the last hop's raw text with the answer given to it (a resent hop is answered from here and
changes nothing), the user id (later hops skip the user lookup), whether the PIN was proved in
this session (required before a PIN change), and when the last hop was (the resume window).

The raw text is never stored (it holds PINs). `rev` is serialised first so the Redis script
can compare it without decoding the JSON (see `sessions.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from gateway.flows import codec
from gateway.flows.model import Conversation

RECORD_VERSION = 1


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One channel session. `conv` is None once the conversation ended (the answer stays)."""

    phone: str  # E.164, whoever the channel says is on the line
    conv: Conversation | None
    rev: int = 0
    consumed: int = 0  # input segments already fed to the engine
    hop: str = ""  # keyed hash of the last hop's raw text
    answer: str = ""  # what that hop was answered, exactly as sent
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
        "hop": record.hop,
        "answer": record.answer,
        "user_id": record.user_id,
        "pin_ok": record.pin_ok,
        "at": round(record.at, 3),
        "conv": None if record.conv is None else codec.to_dict(record.conv),
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
    phone, hop, answer = top.get("phone"), top.get("hop"), top.get("answer")
    pin_ok, at = top.get("pin_ok"), top.get("at")
    if not (
        isinstance(rev, int)
        and isinstance(consumed, int)
        and isinstance(phone, str)
        and isinstance(hop, str)
        and isinstance(answer, str)
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
        hop=hop,
        answer=answer,
        user_id=user_id,
        pin_ok=pin_ok,
        at=float(at),
    )
