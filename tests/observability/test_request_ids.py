"""Every hop and request gets a request id: on each line it logs, and back as `X-Request-Id`."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from gateway.app import create_app
from gateway.logs import RequestIdFilter
from gateway.settings import Settings
from gateway.store.migrate import upgrade
from gateway.tracing import HEADER


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("gateway")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/g.db"
    upgrade(url)
    settings = Settings.from_env({"PAYLINK_DATABASE_URL": url})
    return await aiohttp_client(create_app(settings))


async def test_each_response_carries_a_fresh_request_id(client):
    first = await client.get("/healthz")
    second = await client.get("/healthz")
    assert first.headers[HEADER] != second.headers[HEADER]
    assert len(first.headers[HEADER]) == 16


async def test_error_responses_carry_the_request_id_too(client):
    missing = await client.get("/api/v1/no-such-thing")
    assert missing.status == 404
    assert missing.headers[HEADER]


async def test_a_proxys_request_id_is_kept(client):
    response = await client.get("/healthz", headers={HEADER: "nginx-7f3a9c2e11d04b5a"})
    assert response.headers[HEADER] == "nginx-7f3a9c2e11d04b5a"


async def test_a_request_id_that_could_forge_a_log_line_is_replaced(client):
    forged = 'abc" level="ERROR'
    response = await client.get("/healthz", headers={HEADER: forged})
    assert response.headers[HEADER] != forged
    assert response.headers[HEADER].isalnum()


async def test_the_lines_a_ussd_hop_logs_carry_its_request_id(client, lines):
    response = await client.post("/ussd/africastalking", data={"sessionId": "bad id!"})
    assert (await response.text()).startswith("END ")
    hop = [r for r in lines.records if r.name == "gateway.channels.ussd"]
    assert hop, "the unreadable hop logged nothing"
    assert {r.request_id for r in hop} == {response.headers[HEADER]}  # type: ignore[attr-defined]


async def test_lines_outside_any_request_carry_a_dash(lines):
    logging.getLogger("gateway.test").info("between requests")
    (record,) = lines.records
    assert record.request_id == "-"  # type: ignore[attr-defined]


async def test_a_method_the_route_does_not_take_is_answered_405_stamped(client):
    refused = await client.post("/healthz")
    assert refused.status == 405
    assert refused.headers[HEADER]
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
