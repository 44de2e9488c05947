"""An operator turns on DEBUG to chase a problem; the log must still hold no customer secret.

The embedded default (SQLite through aiosqlite) with `PAYLINK_LOG_LEVEL=DEBUG`, configured by the
same `setup_logging` the CLI uses: a newcomer signs up with the SMS code, sets a PIN and buys
electricity. SQLAlchemy logs every statement's parameters at INFO and aiosqlite every call at
DEBUG, which put the OTP (in the outbox SMS), the PIN hash and the electricity token in the log.
Every formatted line, tracebacks included, is searched for each of them and the password.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from gateway.app import create_app
from gateway.keys import db_key
from gateway.logs import QUIET_LOGGERS, setup_logging
from gateway.phones import normalize_phone
from gateway.settings import Settings
from gateway.store.migrate import upgrade
from gateway.store.tables import User
from tests.api.helpers import (
    PASSWORD,
    PHONE,
    PIN,
    N,
    bearer,
    fund,
    idem,
    register,
    set_pin,
    sms_code,
    verify,
)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def debug_logs() -> Iterator[Capture]:
    """Logging as `paylink serve` sets it up at DEBUG, plus a handler that keeps every line."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    capture = Capture()
    try:
        yield capture
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


async def test_debug_logs_on_the_embedded_default_hold_no_otp_pin_hash_token_or_password(
    aiohttp_client, tmp_path, debug_logs
):
    url = f"sqlite+aiosqlite:///{tmp_path}/paylink.db"
    upgrade(url)
    settings = Settings.from_env({"PAYLINK_DATABASE_URL": url, "PAYLINK_LOG_LEVEL": "DEBUG"})
    setup_logging(settings.log_level)
    logging.getLogger().addHandler(debug_logs)
    client = await aiohttp_client(create_app(settings))

    registered = await register(client)
    code = await sms_code(client.app[db_key], PHONE)
    verified = await verify(client, PHONE, code, (await registered.json())["registration_id"])
    assert verified.status == 200, await verified.text()
    tokens = await verified.json()
    await set_pin(client, tokens)
    await fund(client, PHONE, 5_000)
    bought = await client.post(
        "/api/v1/purchases",
        json={
            "service_id": "ikeja-electric",
            "variation_code": "prepaid",
            "customer_ref": "1111111111111",
            "amount": 1_000 * N,
            "pin": PIN,
        },
        headers={**bearer(tokens), **idem()},
    )
    assert bought.status == 202, await bought.text()
    purchase = {}
    for _ in range(200):
        purchase = await (
            await client.get(bought.headers["Location"], headers=bearer(tokens))
        ).json()
        if purchase["status"] == "delivered":
            break
        await asyncio.sleep(0.05)
    assert purchase["status"] == "delivered"
    async with client.app[db_key]() as session:
        pin_hash = await session.scalar(
            select(User.pin_hash).where(User.phone == normalize_phone(PHONE))
        )

    text = "\n".join(debug_logs.lines)
    assert len(debug_logs.lines) > 5  # DEBUG was on: the gateway's own lines are there
    assert not re.search(rf"(?<!\d){code}(?!\d)", text), "the OTP code was logged"
    assert purchase["token"]
    for secret in (purchase["token"], purchase["token"].replace("-", ""), pin_hash, PASSWORD):
        assert secret not in text
    assert pin_hash.split("$")[-1] not in text  # not even the digest alone
