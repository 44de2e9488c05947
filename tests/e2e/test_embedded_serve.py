"""A newcomer's first run: `paylink serve` with no configuration, started as a real process;
then the README's other set-up, a separately run `paylink simulator` with no keys at all."""

import json
import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

PAYLINK = [sys.executable, "-m", "gateway"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any PayLink or VTPass setting: the defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYLINK_", "VTPASS_"))}
    return env | extra


def start(argv: list[str], cwd, env: dict[str, str], ready_url: str) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [*PAYLINK, *argv], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.communicate()[0].decode()
            pytest.fail(f"paylink {argv[0]} exited with {process.returncode}:\n{output}")
        try:
            httpx.get(ready_url, timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"paylink {argv[0]} did not answer {ready_url}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=15)
    if process.stdout:
        process.stdout.close()


def paylink(cwd, env: dict[str, str], *argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own CLI
        [*PAYLINK, *argv], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def served_gateway(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(["serve", "--port", str(port)], tmp_path, clean_env(), f"{base}/healthz")
    yield base, tmp_path
    stop(process)


def test_serve_on_the_embedded_default_is_healthy_and_ready(served_gateway):
    base, workdir = served_gateway
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text
    assert (workdir / "paylink.db").exists()


def test_a_second_serve_on_a_taken_port_says_so_before_serving_and_exits(served_gateway):
    base, workdir = served_gateway
    port = base.rsplit(":", 1)[1]

    second = paylink(workdir, clean_env(), "serve", "--port", port)

    assert second.returncode == 3
    assert second.stdout == ""
    assert "serving on" not in second.stderr
    assert "Traceback" not in second.stderr
    assert second.stderr.strip().splitlines()[-1] == (
        f"paylink: cannot serve on 127.0.0.1:{port}: the port is already in use"
        " (another `paylink serve`? choose one with --port)"
    )


def test_a_separate_simulator_and_gateway_need_no_keys_and_deliver_to_the_success_number(
    tmp_path,
):
    # the README: `paylink simulator --port 8090`, then
    # `PAYLINK_VTPASS_BASE_URL=http://127.0.0.1:8090/api/ paylink serve`: demo keys both sides
    sim_port, port = free_port(), free_port()
    sim = f"http://127.0.0.1:{sim_port}"
    simulator = start(
        ["simulator", "--port", str(sim_port)], tmp_path, clean_env(), f"{sim}/__sim/clock"
    )
    env = clean_env(PAYLINK_VTPASS_BASE_URL=f"{sim}/api/")
    url = f"http://127.0.0.1:{port}"
    gateway = start(["serve", "--port", str(port)], tmp_path, env, f"{url}/healthz")
    try:
        assert httpx.get(f"{url}/readyz").status_code == 200
        credit = paylink(
            tmp_path, env, "wallet", "credit", "08011111111", "1000", "--reference", "t"
        )
        assert credit.returncode == 0, credit.stderr
        phone = ["ussd", "--phone", "08011111111", "--url", url]
        assert paylink(tmp_path, env, *phone, stdin="2580\n2580\n").returncode == 0  # set a PIN
        # airtime, my number, MTN (0801 is no network's prefix), N100, PIN
        bought = paylink(tmp_path, env, *phone, stdin="1\n1\n1\n100\n2580\n")
        assert re.search(r"Request received\. Ref PL-\w{8}\. You will get an SMS\.$", bought.stdout)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            listing = paylink(tmp_path, env, "outbox", "--json")
            messages = json.loads(listing.stdout)["messages"]
            receipts = [m for m in messages if m["purchase_id"] is not None]
            if receipts:
                break
            time.sleep(0.5)
        (receipt,) = receipts
        (credited,) = [m for m in messages if m["purchase_id"] is None]
        assert "N1,000 was added to your wallet" in credited["body"]
        assert "successful" in receipt["body"]
        (txn,) = httpx.get(f"{sim}/__sim/transactions").json()["transactions"]
        assert (txn["status"], txn["phone"]) == ("delivered", "08011111111")
        reconciled = paylink(tmp_path, env, "reconcile", "--json")
        assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
        assert json.loads(reconciled.stdout)["purchases"]["delivered"] == 1
    finally:
        stop(gateway)
        stop(simulator)
