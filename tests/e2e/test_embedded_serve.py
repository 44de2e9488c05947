"""A newcomer's first run: `paylink serve` with no configuration, started as a real process."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served_gateway(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYLINK_", "VTPASS_"))}
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "gateway", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.communicate()[0].decode()
            pytest.fail(f"paylink serve exited with {process.returncode}:\n{output}")
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("paylink serve did not answer /healthz")
    yield base, tmp_path
    process.terminate()
    process.wait(timeout=15)
    if process.stdout:
        process.stdout.close()


def test_serve_on_the_embedded_default_is_healthy_and_ready(served_gateway):
    base, workdir = served_gateway
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text
    assert (workdir / "paylink.db").exists()
