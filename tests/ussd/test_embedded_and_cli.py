"""The embedded default (SQLite, in-process sessions, in-process worker) and `paylink ussd`.

The newcomer's story from issue 4: run the gateway, credit a wallet with the CLI, dial with
`paylink ussd` and buy electricity against the simulator, then see the token in history.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.channels.ussd import ROUTE
from gateway.cli import build_parser
from gateway.cli.ussd import TerminalPhone, network_code, split_code
from gateway.conversations.keys import coordinators_key
from gateway.keys import redis_key
from gateway.settings import Secret
from tests.ussd.conftest import PIN, customer
from tests.ussd.helpers import RECEIVED, SHOWN_RECEIVED, delivered
from tests.ussd.phone import Phone

AT_TOKEN = "Kq3vX9-pL2mZ8wR4tY6uN1bC5dF7hJ0s"


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_embedded_default_sells_on_sqlite_with_in_process_sessions(harness, worker):
    assert redis_key not in harness.app
    store = harness.app[coordinators_key]["ussd"]._sessions.store
    assert type(store).__name__ == "MemorySessionStore"
    async with httpx.AsyncClient(base_url=harness.base_url) as client:
        handset = Phone(client, "08031234567")
        assert (await handset.dial()).startswith("CON Welcome to PayLink!")
        await handset.send("7391", "7391")
        user_id = (await harness.service.credit_wallet("08031234567", 5_000_00, "e1")).user_id
        await handset.dial()
        await handset.send("3", "1", "1", "1111111111111", "1000")
        assert await handset.send("7391") == RECEIVED
        assert await handset.resend() == RECEIVED
        done = await delivered(harness, user_id)
        assert done.token is not None


def test_split_code_and_network_codes():
    assert split_code("*347*88#") == ("*347*88#", "")
    assert split_code("*347*88*1*500#") == ("*347*88#", "1*500")
    assert network_code("+2348031234567") == "62130"
    assert network_code("+2348051234567") == "62150"
    assert network_code("+2348021234567") == "62120"
    assert network_code("+2348091234567") == "62160"
    assert network_code("+2348011111111") == "99999"
    args = build_parser().parse_args(["ussd", "--phone", "08031234567", "--code", "*347*88*1#"])
    assert (args.phone, args.code, args.url) == (
        "+2348031234567",
        "*347*88*1#",
        "http://127.0.0.1:8080/ussd/africastalking",
    )
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ussd", "--phone", "08031234567", "--code", "347"])


@pytest.mark.parametrize(
    ("given", "callback"),
    [
        ("http://gw.example:8080", "http://gw.example:8080/ussd/africastalking"),
        ("http://gw.example:8080/", "http://gw.example:8080/ussd/africastalking"),
        (
            "http://gw.example:8080/ussd/africastalking",
            "http://gw.example:8080/ussd/africastalking",
        ),
        (
            "http://gw.example:8080/ussd/africastalking/",
            "http://gw.example:8080/ussd/africastalking",
        ),
        (
            "https://gw.example/ussd/africastalking/Tok3n_x",
            "https://gw.example/ussd/africastalking/Tok3n_x",
        ),
        (
            "https://gw.example/ussd/africastalking/Tok3n_x/events",
            "https://gw.example/ussd/africastalking/Tok3n_x",
        ),
    ],
)
def test_the_terminal_phone_takes_the_gateway_or_its_callback_url(given, callback):
    args = build_parser().parse_args(["ussd", "--phone", "08031234567", "--url", given])
    assert args.url == callback


def test_the_terminal_phone_refuses_a_url_that_is_not_http():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ussd", "--phone", "08031234567", "--url", "gw.example:8080"])


def scripted(*answers: str):
    queue = list(answers)

    def read() -> str | None:
        return queue.pop(0) if queue else None

    return read


async def test_the_terminal_phone_dials_like_africas_talking(gateway):
    await customer(gateway)
    shown: list[str] = []

    def dial(*answers: str, code: str = "*347*88#") -> int:
        with httpx.Client(base_url=gateway.base_url, timeout=10) as client:
            terminal = TerminalPhone(
                client, "+2348031234567", code, read=scripted(*answers), write=shown.append
            )
            return terminal.call()

    assert await asyncio.to_thread(dial, "3", "1") == 0  # then hangs up (EOF)
    assert shown[0].startswith("PayLink\n1 Airtime")
    assert shown[-1] == "\n[you hung up]"
    shown.clear()
    assert await asyncio.to_thread(dial, "1") == 0  # the hang-up event made it resumable
    assert shown[0] == "You were paying for electricity.\n1 Continue\n2 Main menu"
    assert shown[1].startswith("Ikeja (IKEDC) meter type:")
    shown.clear()
    assert await asyncio.to_thread(dial, PIN, code="*347*88*1*500#") == 0
    assert shown[0].startswith("MTN airtime N500\nTo 08031234567\nEnter PIN to pay:")
    assert shown[-1] == SHOWN_RECEIVED


@pytest.mark.parametrize("gateway_overrides", [{"at_callback_token": Secret(AT_TOKEN)}])
async def test_the_terminal_phone_dials_a_callback_url_with_its_token(gateway):
    """The operator pastes the URL registered at AT; hops and the hang-up event both reach it."""
    await customer(gateway)
    shown: list[str] = []
    url = (
        build_parser()
        .parse_args(
            ["ussd", "--phone", "08031234567", "--url", f"{gateway.base_url}{ROUTE}/{AT_TOKEN}"]
        )
        .url
    )

    def dial(*answers: str) -> int:
        with httpx.Client(timeout=10) as client:
            terminal = TerminalPhone(
                client, "+2348031234567", callback=url, read=scripted(*answers), write=shown.append
            )
            return terminal.call()

    assert await asyncio.to_thread(dial, "3", "1") == 0  # then hangs up (EOF)
    assert shown[0].startswith("PayLink\n1 Airtime")
    shown.clear()
    assert await asyncio.to_thread(dial) == 0  # the event reached `/{token}/events`: resumable
    assert shown[0] == "You were paying for electricity.\n1 Continue\n2 Main menu"


async def test_the_terminal_phone_reports_a_gateway_that_is_not_a_ussd_app(gateway):
    with httpx.Client(base_url=gateway.base_url + "/nowhere", timeout=5) as client:
        terminal = TerminalPhone(client, "+2348031234567", read=scripted(), write=lambda _: None)
        assert await asyncio.to_thread(terminal.call) == 1


# -- the whole newcomer story, as separate processes ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _paylink(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "gateway", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYLINK_", "VTPASS_"))}
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "gateway", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "paylink serve never became ready"
            time.sleep(0.2)
        yield base, env, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_a_newcomer_buys_electricity_with_paylink_ussd(served):
    base, env, cwd = served
    ussd = ("ussd", "--phone", "08031234567", "--url", base)
    first = _paylink(env, cwd, *ussd, stdin="7391\n7391\n")
    assert "Create a 4-digit PIN" in first
    assert "PIN saved." in first
    _paylink(env, cwd, "wallet", "credit", "08031234567", "5000", "--reference", "first-fund")
    bought = _paylink(env, cwd, *ussd, stdin="3\n1\n1\n1111111111111\n1000\n7391\n")
    assert "TESTMETER1" in bought
    assert re.search(r"Request received\. Ref PL-\w{8}\. You will get an SMS\.", bought)
    for _ in range(50):  # the in-process worker vends it within moments
        history = _paylink(env, cwd, *ussd, stdin="6\n2\n1\n")
        if "Token: " in history:
            break
        time.sleep(0.2)
    assert "Token: " in history
