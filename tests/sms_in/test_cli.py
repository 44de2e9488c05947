"""`paylink sms`: a terminal phone that texts the gateway as Africa's Talking would and shows
the replies from the outbox; and the newcomer's story with the real processes."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from gateway.cli import build_parser
from gateway.cli.sms import TerminalSms
from gateway.settings import Secret
from gateway.store import outbox
from tests.sms_in.conftest import BUYER, PIN, SUCCESS, sms_customer
from tests.ussd import test_embedded_and_cli as ussd_cli
from tests.ussd.helpers import delivered

_paylink, scripted, served = ussd_cli._paylink, ussd_cli.scripted, ussd_cli.served  # a fixture

TOKEN = "Kq3vX9-pL2mZ8wR4tY6uN1bC5dF7hJ0s"


@pytest.mark.parametrize(
    ("given", "callback"),
    [
        ("http://gw.example:8080", "http://gw.example:8080/sms/africastalking/inbound"),
        ("http://gw.example:8080/", "http://gw.example:8080/sms/africastalking/inbound"),
        (
            f"https://gw.example/sms/africastalking/{TOKEN}/inbound",
            f"https://gw.example/sms/africastalking/{TOKEN}/inbound",
        ),
    ],
)
def test_the_terminal_phone_takes_the_gateway_or_its_callback_url(given, callback):
    args = build_parser().parse_args(["sms", "--phone", "08031234567", "--url", given])
    assert (args.phone, args.url) == ("+2348031234567", callback)


@pytest.mark.parametrize(
    "argv", [["sms"], ["sms", "--phone", "12345"], ["sms", "--phone", BUYER, "--url", "gw:80"]]
)
def test_the_terminal_phone_refuses_bad_arguments(argv):
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)


def inbox_of(gateway, phone: str):
    """The outbox reader `paylink sms` uses, called from the terminal's thread."""
    loop = asyncio.get_running_loop()

    async def read(after: int) -> list[tuple[int, str]]:
        async with gateway.db() as session:
            found = await outbox.recent(session, phone=phone, limit=20)
        return [(m.id, m.body) for m in found if m.id > after]

    return lambda after: asyncio.run_coroutine_threadsafe(read(after), loop).result()


@pytest.mark.parametrize("gateway_overrides", [{"at_callback_token": Secret(TOKEN)}])
async def test_the_terminal_phone_buys_airtime_at_a_callback_url_with_its_token(gateway):
    user_id = await sms_customer(gateway, SUCCESS)
    shown: list[str] = []
    url = f"{gateway.base_url}/sms/africastalking/{TOKEN}/inbound"
    inbox = inbox_of(gateway, "+2348011111111")

    def chat(*lines: str) -> int:
        with httpx.Client(timeout=10) as client:
            terminal = TerminalSms(
                client,
                "+2348011111111",
                url,
                inbox,
                gateway.clock,
                read=scripted(*lines),
                write=shown.append,
            )
            return terminal.chat()

    assert await asyncio.to_thread(chat, "AIRTIME 100", "1", PIN) == 0
    assert shown[0].startswith("[SMS from PayLink]\nChoose network:\n1 MTN")
    assert shown[1].startswith("[SMS from PayLink]\nMTN airtime N100\nTo 08011111111")
    assert re.match(r"\[SMS from PayLink\]\nRequest received\. Ref PL-", shown[2])
    assert shown[-1] == "\n[bye]"
    await delivered(gateway, user_id)


async def test_the_terminal_phone_shows_old_messages_only_when_new(gateway):
    await sms_customer(gateway)  # its wallet credit notice is in the outbox already
    shown: list[str] = []
    inbox = inbox_of(gateway, "+2348031234567")

    def chat() -> int:
        with httpx.Client(base_url=gateway.base_url, timeout=10) as client:
            terminal = TerminalSms(
                client,
                "+2348031234567",
                "/sms/africastalking/inbound",
                inbox,
                gateway.clock,
                read=scripted("", "bal"),
                write=shown.append,
            )
            return terminal.chat()

    assert await asyncio.to_thread(chat) == 0
    assert shown == ["[SMS from PayLink]\nWallet balance: N100,000.\n", "\n[bye]"]


async def test_the_terminal_phone_reports_a_gateway_that_does_not_take_sms(gateway):
    inbox = inbox_of(gateway, "+2348031234567")

    def chat() -> int:
        with httpx.Client(base_url=gateway.base_url + "/nowhere", timeout=5) as client:
            terminal = TerminalSms(
                client,
                "+2348031234567",
                "/sms/africastalking/inbound",
                inbox,
                gateway.clock,
                read=scripted("help"),
                write=lambda _: None,
            )
            return terminal.chat()

    assert await asyncio.to_thread(chat) == 1


def test_a_newcomer_buys_airtime_with_paylink_sms(served):
    """As the README tells it: a PIN and SMS purchases on USSD, then `AIRTIME 100` by SMS."""
    base, env, cwd = served
    ussd = ("ussd", "--phone", SUCCESS, "--url", base)
    _paylink(env, cwd, *ussd, stdin="7391\n7391\n")
    _paylink(env, cwd, "wallet", "credit", SUCCESS, "5000", "--reference", "first-fund")
    turned_on = _paylink(env, cwd, *ussd, stdin="6\n5\n1\n7391\n")
    assert "SMS purchases are on." in turned_on
    texted = _paylink(
        env, cwd, "sms", "--phone", SUCCESS, "--url", base, stdin="AIRTIME 100\n1\n7391\n"
    )
    assert "Choose network:" in texted
    assert "MTN airtime N100" in texted
    assert re.search(r"Request received\. Ref PL-\w{8}\. You will get an SMS\.", texted)
