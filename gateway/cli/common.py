"""What the operator commands share: argument types, output, error exits, short-lived resources.

User mistakes (a bad phone, amount or reference) exit 2 with one line on stderr and no
traceback; a failed check (`reconcile`) exits 1; a service that cannot be used exits 3 and a
closed pipe 141 (`failures.py`); anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator, Coroutine, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clock import Clock
from gateway.errors import ConfigError, Conflict, InvalidInput, NotFound
from gateway.money import Kobo, parse_naira
from gateway.phones import Msisdn, normalize_phone
from gateway.settings import Settings
from gateway.store.db import create_db_engine, create_sessionmaker
from gateway.vtpass.client import VTPassClient
from gateway.vtpass.context import client_settings

EXIT_USAGE = 2
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class UsageError(Exception):
    """The operator asked for something that cannot be done as asked (exit 2)."""


def phone_arg(text: str) -> Msisdn:
    """argparse type: `08031234567`, `2348031234567` or `+2348031234567`."""
    try:
        return normalize_phone(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a Nigerian mobile number: {text!r} (try 08031234567 or +2348031234567)"
        ) from None


def naira_arg(text: str) -> Kobo:
    """argparse type: a positive naira amount (`1500`, `1,500.50`) as kobo."""
    try:
        amount = parse_naira(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a naira amount: {text!r} (try 1500 or 1500.50)"
        ) from None
    if amount <= 0:
        raise argparse.ArgumentTypeError("the amount must be more than 0")
    return amount


def duration_arg(text: str) -> float:
    """argparse type: `90`, `60s`, `5m`, `2h` as seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 60s, 5m or 2h)")
    return float(match.group(1)) * _SECONDS[match.group(2) or "s"]


def positive_int_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def json_flag(parser: argparse.ArgumentParser) -> None:
    """`--json`: one JSON document on stdout for scripts (see docs/cli.md for the keys)."""
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document (kobo integers, ISO 8601 UTC times) instead of text",
    )


def out_json(document: Mapping[str, object]) -> None:
    """One JSON document and a newline: keys in a fixed order, money in integer kobo."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")


def iso(value: datetime | None) -> str | None:
    """A stored time as the REST API writes it: RFC 3339 UTC with milliseconds and `Z`
    (`2026-12-01T09:30:00.000Z`); a naive value is UTC, as the store keeps them."""
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def err(text: str) -> None:
    sys.stderr.write(f"paylink: {text}\n")


def run(coro: Coroutine[Any, Any, int]) -> int:
    """Run an async command; user errors become one line on stderr and exit code 2."""
    try:
        return asyncio.run(coro)
    except (UsageError, InvalidInput, Conflict, NotFound, ConfigError) as exc:
        err(str(exc))
        return EXIT_USAGE


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A small pool on `PAYLINK_DATABASE_URL` for one command."""
    engine = create_db_engine(settings.database_url.value, pool_size=5, max_overflow=5)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def vtpass(settings: Settings, clock: Clock) -> AsyncIterator[VTPassClient]:
    """A VTPass client for one command; the built-in simulator cannot be reached from here.

    Raises:
        UsageError: no VTPass to talk to (the embedded simulator lives inside `paylink serve`).
    """
    if settings.uses_builtin_simulator:
        raise UsageError(
            "no VTPass to ask: the built-in simulator lives inside `paylink serve`; set "
            "PAYLINK_VTPASS_BASE_URL (e.g. to a `paylink simulator`) to reach one"
        )
    async with VTPassClient.from_settings(client_settings(settings), clock=clock) as client:
        yield client
