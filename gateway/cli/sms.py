"""`paylink sms`: a terminal phone that texts the running gateway as Africa's Talking would.

Each line typed is posted as AT's incoming-message form (channels.md B3) to the inbound
callback (`/sms/africastalking/inbound`, or `/sms/africastalking/{token}/inbound` with
`PAYLINK_AT_CALLBACK_TOKEN`): a fresh `id`, the phone in E.164 as `from`, the network code
from the number's prefix. The replies are read from the outbox, where the gateway queues
every SMS it sends (so this needs the gateway's database: the embedded default's
`./paylink.db`, or the same `PAYLINK_DATABASE_URL`); receipts the worker queues later show up
too, before the next prompt or on an empty line. Ctrl-D or Ctrl-C leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.channels.sms import INBOUND_SUFFIX, ROUTE
from gateway.cli.common import database, err, out, phone_arg
from gateway.cli.ussd import network_code
from gateway.clock import Clock
from gateway.settings import Settings
from gateway.store import outbox

SHORT_CODE = "34788"  # the `to` of the form: a short code like AT's; the gateway ignores it
WAIT_S = 5.0  # how long a line waits for its reply before the prompt comes back
POLL_S = 0.2


def register(commands: Any) -> None:
    sms = commands.add_parser(
        "sms", help="a terminal phone: text the gateway's SMS endpoint like Africa's Talking"
    )
    sms.add_argument("--phone", required=True, type=phone_arg, help="e.g. 08031234567")
    sms.add_argument(
        "--url",
        default="http://127.0.0.1:8080",
        type=gateway_url_arg,
        help="the running gateway, or its inbound SMS callback URL as given to Africa's Talking"
        " (with its token when PAYLINK_AT_CALLBACK_TOKEN is set)",
    )
    sms.set_defaults(handler=run_sms)


def gateway_url_arg(text: str) -> str:
    """argparse type: the inbound callback URL; a gateway's base URL gets
    `/sms/africastalking/inbound`, a callback URL is kept as given."""
    url = text.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or not urlsplit(url).netloc:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    if ROUTE not in urlsplit(url).path:
        return url + ROUTE + INBOUND_SUFFIX
    return url


Inbox = Callable[[int], list[tuple[int, str]]]  # messages to the phone after an outbox id


@dataclass
class TerminalSms:
    """Texts the gateway at `callback` and shows what comes back from `inbox`."""

    client: httpx.Client
    phone: str  # E.164
    callback: str
    inbox: Inbox
    clock: Clock
    read: Callable[[], str | None] = field(default=lambda: _read_line())
    write: Callable[[str], None] = out
    wait_s: float = WAIT_S
    seen: int = 0  # the newest outbox id shown

    def chat(self) -> int:
        """Read lines and text them until Ctrl-D; 0 when left, 1 when the gateway fails."""
        self.seen = max((mid for mid, _ in self.inbox(0)), default=0)
        while True:
            try:
                line = self.read()
            except KeyboardInterrupt:
                line = None
            if line is None:
                self.write("\n[bye]")
                return 0
            if line.strip():
                try:
                    self._text(line)
                except httpx.HTTPError as exc:
                    err(f"the gateway did not take the message: {exc}")
                    return 1
            self._show(wait=bool(line.strip()))

    def _text(self, line: str) -> None:
        now = self.clock.now()
        form = {
            "from": self.phone,
            "to": SHORT_CODE,
            "text": line,
            "date": now.strftime("%Y-%m-%d %H:%M:%S"),
            "id": f"ATXid_{secrets.token_hex(16)}",
            "linkId": "",
            "networkCode": network_code(self.phone),
        }
        self.client.post(self.callback, data=form).raise_for_status()

    def _show(self, *, wait: bool) -> None:
        """Print the messages that arrived; after a text, wait a little for its reply."""
        deadline = time.monotonic() + (self.wait_s if wait else 0.0)
        while True:
            fresh = [(mid, body) for mid, body in self.inbox(self.seen) if mid > self.seen]
            for mid, body in sorted(fresh):
                self.write(f"[SMS from PayLink]\n{body}\n")
                self.seen = mid
            if fresh or time.monotonic() >= deadline:
                if wait and not fresh:
                    self.write("[no reply yet; press Enter to look again]")
                return
            time.sleep(POLL_S)


def _read_line() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


def outbox_reader(
    runner: asyncio.Runner, db: async_sessionmaker[AsyncSession], phone: str
) -> Inbox:
    """The outbox's messages to `phone` newer than an id, newest 20 at most."""

    async def read(after: int) -> list[tuple[int, str]]:
        async with db() as session:
            found = await outbox.recent(session, phone=phone, limit=20)
        return [(m.id, m.body) for m in found if m.id > after]

    return lambda after: runner.run(read(after))


def run_sms(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    host = urlsplit(args.url).netloc  # the host only: the callback path may hold the token
    out(f"[texting PayLink at {host} from {args.phone}; try HELP or AIRTIME 100; Ctrl-D leaves]")
    with asyncio.Runner() as runner, httpx.Client(timeout=20.0) as client:
        opened = database(settings)
        db = runner.run(opened.__aenter__())
        try:
            inbox = outbox_reader(runner, db, args.phone)
            return TerminalSms(client, args.phone, args.url, inbox, clock).chat()
        finally:
            runner.run(opened.__aexit__(None, None, None))
