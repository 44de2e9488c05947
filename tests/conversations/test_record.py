"""The session record's JSON: orjson writes what `json` wrote, and each reads the other's.

Why it matters: processes of two releases share Redis during a deploy, and the compare-and-set
script reads `rev` from the front of the bytes.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gateway.conversations.record import decode, encode
from gateway.flows.model import Option, Screen
from tests.conversations.records import conversation, record

SAMPLES = [
    record(),
    record(rev=12, conv=None, user_id=None, at=0.0),
    record(rev=3, conv=conversation("menu", to="+2348031234567", note='é€[x]\n\t"q"')),
    record(
        answer=Screen("Ikeja Electric\nName: Adé Ọlá", (Option("1", "Confirm"),), hint="Hi."),
        at=1_795_000_000.123456,
    ),
    record(answer=Screen("Done.", expects_input=False, ends=True), conv=None),
    record(answer=Screen("Enter your PIN", secret=True)),  # a chat deletes the PIN message
]


def _stdlib(raw: bytes) -> bytes:
    """What `encode` wrote before orjson, from the same body."""
    body = json.loads(raw)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("sample", SAMPLES)
def test_bytes_are_what_the_stdlib_wrote_and_rev_leads(sample):
    raw = encode(sample)
    assert raw == _stdlib(raw)
    assert raw.startswith(f'{{"rev":{sample.rev},"v":2,'.encode())


@pytest.mark.parametrize("sample", SAMPLES)
def test_records_written_by_the_stdlib_decode(sample):
    written = _stdlib(encode(sample))
    expected = replace(sample, at=round(sample.at, 3))
    assert decode(written) == expected
    assert decode(written.decode()) == expected  # str as well as bytes


@pytest.mark.parametrize("bad", [b"", b"{", b"\xff\xfe", b"NaN", b'{"v":1,"rev":1,}'])
def test_what_is_not_json_is_a_value_error(bad):
    with pytest.raises(ValueError, match="not JSON"):
        decode(bad)


def test_a_pin_screen_stays_secret_when_answered_from_the_store():
    stored = decode(encode(record(answer=Screen("Enter your PIN", secret=True))))
    assert stored.answer.secret
