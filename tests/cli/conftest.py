"""CLI tests run `gateway.cli.main(argv, environ, clock=...)` in a thread (it starts its own
event loop) against the databases and the simulator of the other fixtures.

A command never reads the wall clock here: it gets the harness's clock when a test passes one,
else a fixed clock at the simulator's start, so no CLI test depends on today's date."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

from gateway.cli import main
from gateway.clock import Clock, FixedClock
from tests.fixtures.simulator import SIM_ACCOUNT, SIM_START
from tests.worker.conftest import gateway_overrides, pg_harness  # noqa: F401 - fixtures

JWT = "cli-test-secret-0123456789abcdef0123456789"


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    """`main` configures the root logger for a terminal; give pytest its handlers back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def cli_env(db_url: str, simulator: Any = None) -> dict[str, str]:
    env = {
        "PAYLINK_DATABASE_URL": db_url,
        "PAYLINK_JWT_SECRET": JWT,
        "PAYLINK_LOG_LEVEL": "ERROR",
        "PAYLINK_AT_CALLBACK_OPEN": "true",  # no USSD callback in these commands
    }
    if simulator is not None:
        env |= {
            "PAYLINK_VTPASS_BASE_URL": simulator.base_url,
            "VTPASS_API_KEY": SIM_ACCOUNT.api_key,
            "VTPASS_PUBLIC_KEY": SIM_ACCOUNT.public_key,
            "VTPASS_SECRET_KEY": SIM_ACCOUNT.secret_key,
        }
    return env


async def paylink(env: dict[str, str], *argv: str, clock: Clock | None = None) -> int:
    """Run one `paylink` command in a thread so this test's loop keeps serving the simulator."""
    return await asyncio.to_thread(
        partial(main, list(argv), env, clock=clock or FixedClock(SIM_START))
    )
