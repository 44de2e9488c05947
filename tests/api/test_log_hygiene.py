"""An operator turns on DEBUG to chase a problem; the log must still hold no customer secret.

The embedded default (SQLite through aiosqlite) with `PAYLINK_LOG_LEVEL=DEBUG`, configured by the
same `setup_logging` the CLI uses, in both formats: a newcomer signs up with the SMS code, sets
a PIN, logs in with the password and buys electricity over REST (a token comes back and goes
out in the SMS receipt), then buys airtime on USSD and by SMS command, each confirmed with the
PIN. SQLAlchemy logs every statement's parameters at INFO and aiosqlite every call at DEBUG,
which put the OTP (in the outbox SMS), the PIN hash and the electricity token in the log. Every
formatted line, tracebacks included, is searched for each secret the run used: the OTP, the
PIN, its hash, the password, both JWTs, the JWT secret, the VTPass keys and the token.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from gateway.app import create_app
from gateway.domain.purchase_status import PurchaseStatus
from gateway.keys import clock_key, db_key
from gateway.logs import QUIET_LOGGERS, MsisdnMaskingFilter, RequestIdFilter, setup_logging
from gateway.logs import formatter as log_formatter
from gateway.phones import normalize_phone
from gateway.settings import Settings
from gateway.store import sms_settings
from gateway.store.migrate import upgrade
from gateway.store.tables import Outbox, Purchase, User
from gateway.vtpass.context import client_settings
from tests.api.helpers import (
    PASSWORD,
    PHONE,
    PIN,
    N,
    bearer,
    fund,
    idem,
    login,
    register,
    set_pin,
    sms_code,
    verify,
)
from tests.sms_in.handset import ROUTE as SMS_ROUTE
from tests.sms_in.handset import form as sms_form
from tests.ussd.phone import CODE
from tests.ussd.phone import ROUTE as USSD_ROUTE

SUCCESS = "08011111111"  # the simulator's success number


class Capture(logging.Handler):
    """Keeps every line as the production handler would write it (same filters, same format)."""

    def __init__(self, fmt: str) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(log_formatter(fmt))
        self.addFilter(MsisdnMaskingFilter())
        self.addFilter(RequestIdFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(params=["json", "text"])
def debug_logs(request) -> Iterator[Capture]:
    """Logging as `paylink serve` sets it up at DEBUG, plus a handler that keeps every line."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    capture = Capture(request.param)
    try:
        yield capture
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


async def ussd(client, session_id: str, text: str) -> str:
    form = {
        "sessionId": session_id,
        "serviceCode": CODE,
        "phoneNumber": normalize_phone(PHONE),
        "networkCode": "62130",
        "text": text,
    }
    response = await client.post(USSD_ROUTE, data=form)
    assert response.status == 200
    return await response.text()


async def sms(client, text: str) -> None:
    response = await client.post(SMS_ROUTE, data=sms_form(PHONE, text, uuid.uuid4().hex))
    assert response.status == 200, await response.text()


async def settled(db, purchases: int) -> None:
    """Wait until `purchases` were delivered and the outbox holds nothing unsent."""
    for _ in range(300):
        async with db() as session:
            done = await session.scalar(
                select(func.count()).where(Purchase.status == PurchaseStatus.DELIVERED.value)
            )
            unsent = await session.scalar(select(func.count()).where(Outbox.status != "sent"))
        if done == purchases and unsent == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{done} of {purchases} delivered, {unsent} SMS unsent")


def found(secret: str, text: str) -> bool:
    """`secret` in `text`; a short number only as a whole number (not inside a longer one)."""
    if secret.isdigit() and len(secret) <= 8:
        return re.search(rf"(?<!\d){secret}(?!\d)", text) is not None
    return secret in text


async def test_debug_logs_of_every_channel_hold_no_pin_password_jwt_key_otp_or_token(
    aiohttp_client, tmp_path, debug_logs
):
    url = f"sqlite+aiosqlite:///{tmp_path}/paylink.db"
    upgrade(url)
    settings = Settings.from_env({"PAYLINK_DATABASE_URL": url, "PAYLINK_LOG_LEVEL": "DEBUG"})
    setup_logging(settings.log_level)
    logging.getLogger().addHandler(debug_logs)
    client = await aiohttp_client(create_app(settings))
    db = client.app[db_key]

    registered = await register(client)  # REST: sign-up with the SMS code (OTP)
    code = await sms_code(db, PHONE)
    verified = await verify(client, PHONE, code, (await registered.json())["registration_id"])
    assert verified.status == 200, await verified.text()
    await set_pin(client, await verified.json())
    await fund(client, PHONE, 5_000)
    logged_in = await login(client)  # REST: login with the password
    assert logged_in.status == 200, await logged_in.text()
    tokens = await logged_in.json()
    bought = await client.post(  # REST: electricity, whose token comes back and goes by SMS
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
    session_id = f"ATUid_{uuid.uuid4().hex}"  # USSD: airtime for another number, with the PIN
    history = f"1*2*{SUCCESS}*1*500"
    assert "Enter PIN to pay" in await ussd(client, session_id, history)
    assert (await ussd(client, session_id, f"{history}*{PIN}")).startswith("END Request received")
    async with db.begin() as session:  # SMS: a command confirmed with the PIN
        user = await session.scalar(select(User).where(User.phone == normalize_phone(PHONE)))
        assert user is not None
        await sms_settings.set_purchases(session, user.id, True, client.app[clock_key].now())
    await sms(client, f"AIRTIME 100 {SUCCESS} MTN")
    await sms(client, PIN)
    await settled(db, purchases=3)
    purchase = await (await client.get(bought.headers["Location"], headers=bearer(tokens))).json()
    assert purchase["status"] == "delivered"
    async with db() as session:
        pin_hash = await session.scalar(
            select(User.pin_hash).where(User.phone == normalize_phone(PHONE))
        )
    keys = client_settings(settings)

    text = "\n".join(debug_logs.lines)
    assert len(debug_logs.lines) > 5  # DEBUG was on: the gateway's own lines are there
    assert purchase["token"]
    secrets = {
        "the OTP": code,
        "the PIN": PIN,
        "the password": PASSWORD,
        "the PIN hash": pin_hash,
        "the PIN digest": pin_hash.split("$")[-1],
        "the access token": tokens["access_token"],
        "the refresh token": tokens["refresh_token"],
        "the JWT secret": settings.jwt_secret.value,
        "the VTPass API key": keys.vtpass_api_key.value,
        "the VTPass public key": keys.vtpass_public_key.value,
        "the VTPass secret key": keys.vtpass_secret_key.value,
        "the electricity token": purchase["token"],
        "the bare token digits": purchase["token"].replace("-", "").replace(" ", ""),
    }
    leaked = [what for what, secret in secrets.items() if found(secret, text)]
    assert leaked == [], f"logged: {leaked}"
