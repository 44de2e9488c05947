"""The embedded default (SQLite, in-process memory of AT ids and counters, the worker in this
process): a reply leaves at once, not at the worker's next look at the outbox."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.app import create_app
from gateway.channels.sms import sms_inbox_key
from gateway.channels.sms_gate import MemoryInboundGate
from gateway.keys import db_key
from gateway.store import outbox
from gateway.worker.keys import worker_config_key
from tests.sms_in.handset import Handset
from tests.worker.harness import FAST, eventually, gateway_settings

SLOW_LOOK = dataclasses.replace(FAST, outbox_interval_s=60.0)
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
async def embedded(simulator, sim_clock, db_url, sessionmaker, aiohttp_server):
    app = create_app(gateway_settings(db_url, simulator), clock=sim_clock)
    app[worker_config_key] = SLOW_LOOK  # the worker would look at the outbox once a minute
    server = await aiohttp_server(app)
    return app, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def phone(embedded) -> AsyncIterator[Handset]:
    app, base = embedded
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield Handset(client, app[db_key], "08031234567")


async def test_the_embedded_default_remembers_in_this_process(embedded):
    app, _ = embedded
    assert isinstance(app[sms_inbox_key]._gate, MemoryInboundGate)


async def test_a_reply_is_sent_at_once_by_the_worker_in_this_process(embedded, phone):
    assert (await phone.text("hello") or "").startswith("Welcome to PayLink!")

    async def sent() -> bool:
        async with embedded[0][db_key]() as session:
            (message,) = await outbox.recent(session, phone=phone.e164, limit=1)
        return message.status == "sent"

    assert await eventually(sent, timeout=3.0, what="the reply to be sent")


async def test_a_repeated_delivery_is_answered_once_in_this_process(phone):
    assert await phone.text("hello") is not None
    assert await phone.resend() == []
