"""The `paylink` command: one sub-command per operator task (architecture.md §2)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from gateway.cli import (
    catalogue,
    ops,
    paystack,
    serve,
    sms,
    telegram,
    users,
    ussd,
    wallet,
    worker,
)
from gateway.cli.failures import guarded
from gateway.clock import Clock, SystemClock
from gateway.errors import ConfigError
from gateway.logs import setup_logging
from gateway.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paylink", description="PayLink bill-payment gateway (USSD, SMS, Telegram, REST)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.register(commands)
    worker.register(commands)
    wallet.register(commands)
    ops.register(commands)
    catalogue.register(commands)
    users.register(commands)
    ussd.register(commands)
    sms.register(commands)
    telegram.register(commands)
    paystack.register(commands)
    return parser


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    clock: Clock | None = None,
) -> int:
    """Run one command; `environ` replaces `os.environ` and `clock` the wall clock (tests pass
    theirs, so a command sees the same "now" as the purchases it works on)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(os.environ if environ is None else environ)
    except ConfigError as exc:
        print(f"paylink: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    setup_logging(settings.log_level, settings.log_format)
    clock = clock or SystemClock()
    code: int = guarded(lambda: args.handler(settings, args, clock), settings)
    return code
