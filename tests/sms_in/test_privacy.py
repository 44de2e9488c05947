"""The PIN texted back never reaches a log line or the session store; the texts neither."""

from __future__ import annotations

import logging
import re

import orjson

from gateway.conversations import record
from tests.sms_in.conftest import BUYER, PIN, SUCCESS, sms_customer
from tests.ussd.helpers import delivered

WRONG_PIN = "7391"
_HASH = re.compile(r"[0-9a-f]{16,}")  # keyed hashes and intent ids


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


async def test_the_session_keeps_no_pin_only_what_ussd_keeps(gateway, handset, redis, redis_prefix):
    await sms_customer(gateway)
    phone = handset()
    await phone.text(f"airtime 100 {SUCCESS} mtn")
    await phone.text(WRONG_PIN)  # the conversation goes on: its record is kept
    keys = [key async for key in redis.scan_iter(match=f"{redis_prefix}*sms*")]
    raws = [await redis.get(key) for key in keys if await redis.type(key) == b"string"]
    sessions = [raw for raw in raws if raw and raw.startswith(b'{"rev"')]
    assert len(sessions) == 1
    stored = record.decode(sessions[0])  # a session record, like USSD's
    assert stored.phone == phone.e164
    assert stored.conv is not None
    for text in strings(orjson.loads(sessions[0])):
        assert WRONG_PIN not in text or _HASH.fullmatch(text), text
    assert all(f'"{WRONG_PIN}"'.encode() not in raw for raw in raws if raw)


async def test_no_log_line_holds_a_pin_a_text_or_a_full_phone(gateway, handset, caplog):
    user_id = await sms_customer(gateway)
    phone = handset()
    with caplog.at_level(logging.DEBUG):
        await phone.text(f"airtime 100 {SUCCESS} mtn")
        await phone.text(WRONG_PIN)
        await phone.text(PIN)
        await phone.resend()
        await phone.text("gibberish-text-marker")
        await delivered(gateway, user_id)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    for secret in (WRONG_PIN, PIN, "gibberish-text-marker", BUYER[1:], SUCCESS[1:]):
        assert secret not in logged, secret
