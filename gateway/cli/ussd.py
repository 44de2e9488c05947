"""`paylink ussd`: a terminal phone that dials the running gateway as Africa's Talking would.

Each hop posts AT's form (channels.md A1) to `/ussd/africastalking`: a fresh `ATUid_` session
id, the phone in E.164, the network code from the number's prefix, and `text` accumulated with
`*`. Digits dialled after the base code (`*347*88*1*500#`) go in the first `text`, as AT sends
them. When the session ends (END, or you leave with Ctrl-D/Ctrl-C) the end-of-session event is
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
from datetime import UTC, datetime
from typing import Any

import httpx

from gateway.channels.ussd import EVENTS_ROUTE, ROUTE
from gateway.cli.common import err, out, phone_arg
from gateway.flows.catalog import Network, network_for
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
        help="the running gateway, or its USSD callback URL as given to Africa's Talking",
    )
    ussd.set_defaults(handler=run_ussd)


def code_arg(text: str) -> str:
    """argparse type: a USSD code such as `*347*88#` or `*347*88*1*500#`."""
    if not _CODE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"not a USSD code: {text!r} (try *347*88#)")
    return text


def gateway_url_arg(text: str) -> str:
    """argparse type: the gateway's base URL; a callback URL (`…/ussd/africastalking`, what
    an operator configured at Africa's Talking) is taken back to its base."""
    url = text.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return url.removesuffix(ROUTE) or url


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
    read: Callable[[], str | None] = field(default=lambda: _read_line())
    write: Callable[[str], None] = out
    session_id: str = field(default_factory=lambda: f"ATUid_{secrets.token_hex(16)}")
    inputs: list[str] = field(default_factory=list)
    hops: int = 0

    def call(self) -> int:
        """Dial, show each screen, read each answer; 0 when the gateway ends the session."""
        service_code, first = split_code(self.code)
        self.inputs = first.split("*") if first else []
        started = datetime.now(UTC)
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
        response = self.client.post(ROUTE, data=self._form(service_code))
        self.hops += 1
        response.raise_for_status()
        body = response.text
        if not body.startswith(("CON ", "END ")):
            raise ValueError(f"reply does not start with CON or END: {body[:40]!r}")
        return body

    def _event(
        self, service_code: str, status: str, last: str, started: datetime, error: str = ""
    ) -> None:
        now = datetime.now(UTC)
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
            self.client.post(EVENTS_ROUTE, data=form)


def _read_line() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


def run_ussd(_settings: Settings, args: argparse.Namespace) -> int:
    out(f"[dialling {args.code} from {args.phone} at {args.url}; Ctrl-D hangs up]")
    with httpx.Client(base_url=args.url, timeout=20.0) as client:
        return TerminalPhone(client, args.phone, args.code).call()
