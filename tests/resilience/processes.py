"""Real processes for the resilience scenarios: `paylink ...` children and a private Redis.

Every child logs to its own file under the test's `tmp_path`; a timed-out wait shows the tail of
each, so a failure in CI says which process misbehaved. Only processes started here are ever
signalled, by their own pid: the shared Redis and Postgres are other tests' too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import redis.asyncio as aioredis

T = TypeVar("T")
STOP_GRACE_S = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tails(logs: Path, chars: int = 2500) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-chars:]}" for p in sorted(logs.glob("*.log")))


async def wait_until(
    check: Callable[[], Awaitable[T]], timeout: float, what: str, logs: Path, every: float = 0.2
) -> T:
    """`check()`'s first truthy answer; fails after `timeout` s showing every process's log."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:g}s waiting for {what}\n{log_tails(logs)}"
            )
        await asyncio.sleep(every)


@dataclass
class Child:
    """One `paylink ARGS` process; `start()` after `kill()` restarts it (same log, appended)."""

    name: str
    args: tuple[str, ...]
    env: dict[str, str]
    logs: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> Child:
        self.starts += 1
        with (self.logs / f"{self.name}.log").open("ab") as out:
            out.write(f"==== start {self.starts}\n".encode())
            out.flush()
            self.process = subprocess.Popen(  # noqa: S603 - our own CLI
                [sys.executable, "-m", "gateway", *self.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as when the machine loses the process."""
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if not self.running:
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.kill()


def stop_all(children: list[Child]) -> None:
    """TERM to every running child at once, then wait for each (KILL past the grace)."""
    for child in children:
        if child.running:
            assert child.process is not None
            child.process.terminate()
    for child in children:
        child.stop()


@dataclass
class PrivateRedis:
    """A `redis-server` of this test's own on a free port, without persistence: a restart
    comes back empty, as a crashed cache does."""

    logs: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is not installed"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.logs)]
        with (self.logs / "redis.log").open("ab") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603

        async def answers() -> bool:
            client = aioredis.Redis.from_url(self.url)
            try:
                return bool(await client.ping())
            except (OSError, aioredis.ConnectionError):
                return False
            finally:
                await client.aclose()

        await wait_until(answers, 10, "the private redis-server", self.logs, every=0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    async def restart(self, down_for_s: float) -> None:
        """Down (SIGKILL, no save) for `down_for_s`, then up again empty on the same port."""
        self.kill()
        await asyncio.sleep(down_for_s)
        await self.start()


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment without any PAYLINK_/VTPASS_/AT_ variable, plus `extra`."""
    prefixes = ("PAYLINK_", "VTPASS_", "AT_", "TELEGRAM_", "PROMETHEUS_MULTIPROC_DIR")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(prefixes)}, **extra}
