"""An operator's command never answers with a traceback: a database or Redis that is down, a
port someone holds, a reader that closed the pipe each give one line on stderr and an exit
code a script can test (3: a service cannot be used; 141: the pipe closed)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from gateway.cli.failures import EXIT_BROKEN_PIPE, EXIT_UNAVAILABLE
from tests.cli.conftest import JWT, cli_env, paylink


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another process (here: this test) is serving on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("paylink: ")
    return lines[0]


def down_database(port: int) -> dict[str, str]:
    return cli_env(f"postgresql+psycopg://paylink:hunter2secret@127.0.0.1:{port}/paylink")


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["migrate"], id="migrate"),
        pytest.param(["wallet", "balance", "08031234567"], id="wallet"),
        pytest.param(["outbox"], id="outbox"),
        pytest.param(["users", "role", "08031234567", "operator"], id="users-role"),
        pytest.param(["worker"], id="worker"),
    ],
)
async def test_a_database_that_is_down_is_one_line_never_a_traceback(closed_port, capsys, argv):
    assert await paylink(down_database(closed_port), *argv) == EXIT_UNAVAILABLE

    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert f"127.0.0.1:{closed_port}" in line
    assert "hunter2secret" not in captured.err + captured.out  # the password is masked


@pytest.mark.parametrize("argv", [["worker"], ["serve", "--port", "0"]], ids=["worker", "serve"])
async def test_a_redis_that_is_down_stops_start_up_in_one_line(pg_url, closed_port, capsys, argv):
    env = cli_env(pg_url) | {"PAYLINK_REDIS_URL": f"redis://127.0.0.1:{closed_port}/0"}

    assert await paylink(env, *argv) == EXIT_UNAVAILABLE

    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"paylink: Redis redis://127.0.0.1:{closed_port}/0 is not reachable")


async def test_a_taken_port_is_refused_before_serving_on_is_announced(pg_url, taken_port, capsys):
    env = cli_env(pg_url) | {"PAYLINK_LOG_LEVEL": "INFO"}

    assert await paylink(env, "serve", "--port", str(taken_port)) == EXIT_UNAVAILABLE

    err = capsys.readouterr().err
    assert "serving on" not in err
    assert one_line(err) == (
        f"paylink: cannot serve on 127.0.0.1:{taken_port}: the port is already in use"
        " (another `paylink serve`? choose one with --port)"
    )


def test_a_reader_that_closes_the_pipe_ends_the_command_quietly(tmp_path):
    # `paylink outbox | head -1`: the reader is gone before the command writes
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYLINK_", "VTPASS_"))}
    env["PAYLINK_JWT_SECRET"] = JWT
    command = [sys.executable, "-m", "gateway"]
    subprocess.run([*command, "migrate"], cwd=tmp_path, env=env, check=True, capture_output=True)  # noqa: S603
    for reference in ("a", "b"):
        subprocess.run(  # noqa: S603 - our own CLI
            [*command, "wallet", "credit", "08031234567", "10", "--reference", reference],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
    reader_gone = subprocess.Popen(  # noqa: S603
        [*command, "wallet", "statement", "08031234567"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader_gone.stdout is not None
    assert reader_gone.stderr is not None
    reader_gone.stdout.close()
    err = reader_gone.stderr.read().decode()
    reader_gone.stderr.close()

    assert reader_gone.wait(timeout=30) == EXIT_BROKEN_PIPE
    assert err == ""
