"""`paylink ussd`: a terminal phone that dials the running gateway as Africa's Talking would.

Each hop posts AT's form (channels.md A1) to the callback URL (`/ussd/africastalking`, or
`/ussd/africastalking/{token}` with `PAYLINK_AT_CALLBACK_TOKEN`): a fresh `ATUid_` session id,
the phone in E.164, the network code from the number's prefix, and `text` accumulated with `*`.
Digits dialled after the base code (`*347*88*1*500#`) go in the first `text`, as AT sends them.
When the session ends (END, or you leave with Ctrl-D/Ctrl-C) the end-of-session event is
posted too, so a redial within two minutes is offered to resume. Synchronous on purpose: it
is a person at a keypad, and Ctrl-C must simply work.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from gateway.channels.ussd import EVENTS_SUFFIX, ROUTE
from gateway.cli.common import err, out, phone_arg
from gateway.clock import Clock, SystemClock
from gateway.flows.catalogue import Network, network_for
from gateway.settings import Settings

DEFAULT_CODE = "*347*88#"
BASE_SEGMENTS = 2  # `*347*88#`; more segments are dial-string extras
NETWORK_CODES = {
    Network.MTN: "62130",
    Network.AIRTEL: "62120",
    Network.GLO: "62150",
    Network.NINE_MOBILE: "62160",
}
SANDBOX_NETWORK = "99999"  # AT's code for an unknown network ("Athena")
_CODE = re.compile(r"\*\d+(\*\d+)*#")


def register(commands: Any) -> None:
    ussd = commands.add_parser(
        "ussd", help="a terminal phone: dial the gateway's USSD endpoint like Africa's Talking"
    )
    ussd.add_argument("--phone", required=True, type=phone_arg, help="e.g. 08031234567")
    ussd.add_argument("--code", default=DEFAULT_CODE, type=code_arg, help="e.g. *347*88*1*500#")
    ussd.add_argument(
        "--url",
        default="http://127.0.0.1:8080",
        type=gateway_url_arg,
        help="the running gateway, or its USSD callback URL as given to Africa's Talking"
        " (with its token when PAYLINK_AT_CALLBACK_TOKEN is set)",
    )
    ussd.set_defaults(handler=run_ussd)


def code_arg(text: str) -> str:
    """argparse type: a USSD code such as `*347*88#` or `*347*88*1*500#`."""
    if not _CODE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"not a USSD code: {text!r} (try *347*88#)")
    return text


def gateway_url_arg(text: str) -> str:
    """argparse type: the USSD callback URL. A gateway's base URL gets `/ussd/africastalking`;
    a callback URL (what an operator configured at Africa's Talking, with its token if any) is
    kept as given, and its events URL (`…/events`) is taken back to the callback."""
    url = text.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or not urlsplit(url).netloc:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    path = urlsplit(url).path
    if ROUTE not in path:
        return url + ROUTE
    return url.removesuffix(EVENTS_SUFFIX) if path.endswith(EVENTS_SUFFIX) else url


def split_code(code: str) -> tuple[str, str]:
    """(`serviceCode`, first `text`): `*347*88*1*500#` -> (`*347*88#`, `1*500`)."""
    parts = code.strip("*#").split("*")
    base = "*" + "*".join(parts[:BASE_SEGMENTS]) + "#"
    return base, "*".join(parts[BASE_SEGMENTS:])


def network_code(phone: str) -> str:
    network = network_for(phone)
    return SANDBOX_NETWORK if network is None else NETWORK_CODES[network]


@dataclass
class TerminalPhone:
    """One USSD session against `client` (its base URL is the gateway)."""

    client: httpx.Client
    phone: str  # E.164
    code: str = DEFAULT_CODE
    callback: str = ROUTE  # absolute, or relative to the client's base URL
    read: Callable[[], str | None] = field(default=lambda: _read_line())
    write: Callable[[str], None] = out
    session_id: str = field(default_factory=lambda: f"ATUid_{secrets.token_hex(16)}")
    clock: Clock = field(default_factory=SystemClock)  # dates the end-of-session event
    inputs: list[str] = field(default_factory=list)
    hops: int = 0

    def call(self) -> int:
        """Dial, show each screen, read each answer; 0 when the gateway ends the session."""
        service_code, first = split_code(self.code)
        self.inputs = first.split("*") if first else []
        started = self.clock.now()
        last = ""
        while True:
            try:
                last = self._hop(service_code)
            except (httpx.HTTPError, ValueError) as exc:
                err(f"the gateway did not answer like a USSD app: {exc}")
                self._event(service_code, "Failed", last, started, str(exc))
                return 1
            self.write(last[4:])
            if last.startswith("END "):
                self._event(service_code, "Success", last, started)
                return 0
            try:
                answer = self.read()
            except KeyboardInterrupt:
                answer = None
            if answer is None:
                self._event(service_code, "Incomplete", last, started)
                self.write("\n[you hung up]")
                return 0
            self.inputs.append(answer)

    def _form(self, service_code: str) -> dict[str, str]:
        return {
            "sessionId": self.session_id,
            "serviceCode": service_code,
            "phoneNumber": self.phone,
            "networkCode": network_code(self.phone),
            "text": "*".join(self.inputs),
        }

    def _hop(self, service_code: str) -> str:
        response = self.client.post(self.callback, data=self._form(service_code))
        self.hops += 1
        response.raise_for_status()
        body = response.text
        if not body.startswith(("CON ", "END ")):
            raise ValueError(f"reply does not start with CON or END: {body[:40]!r}")
        return body

    def _event(
        self, service_code: str, status: str, last: str, started: datetime, error: str = ""
    ) -> None:
        now = self.clock.now()
        form = {
            **self._form(service_code),
            "date": now.strftime("%Y-%m-%d %H:%M:%S"),
            "status": status,
            "cost": "NGN 0.0000",
            "durationInMillis": str(int((now - started).total_seconds() * 1000)),
            "hopsCount": str(self.hops),
            "input": "*".join(self.inputs),
            "lastAppResponse": last,
            "errorMessage": error,
        }
        del form["text"]
        with contextlib.suppress(httpx.HTTPError):  # AT does not retry it either
            self.client.post(self.callback + EVENTS_SUFFIX, data=form)


def _read_line() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


def run_ussd(_settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    # the host only: the callback path may hold the secret token
    host = urlsplit(args.url).netloc
    out(f"[dialling {args.code} from {args.phone} at {host}; Ctrl-D hangs up]")
    with httpx.Client(timeout=20.0) as client:
        return TerminalPhone(client, args.phone, args.code, callback=args.url, clock=clock).call()
