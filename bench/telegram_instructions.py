"""Instructions per Telegram update, the gateway's and the bench driver's, counted by callgrind.

Run by hand (not in CI), with Postgres, Redis and valgrind on the machine:

    .venv/bin/python bench/telegram_instructions.py [--journeys 4] [--count gateway,driver]

Why, beside bench/telegram_chats.py: updates per second are only comparable on a quiet machine,
and on 2 shared cores the bench's own process (the fake Bot API and the chats) takes CPU from
the gateway. The instructions a process executes per update do not depend on who else runs
(as bench/ussd_instructions.py found for USSD hops: repeat runs agree within about 0.2 %), so
this is the tool for deciding whether a change pays, on either side.

What it does: the gateway of bench/telegram_chats.py (`paylink serve` on Postgres + Redis, its
bot pointed at the fake) and the driver (a child process: the fake Bot API and `--chats` chats
of bench/telegram_chats.py, each update POSTed to the webhook and every reply checked), each
under `valgrind --tool=callgrind` with counting off when named in `--count` (else run plainly).
Every chat runs one journey to warm up (/menu, tap Airtime, tap My number, type 500, tap Menu),
counting is switched on, they run `--journeys` more, and the counts are dumped. Without
valgrind (`--count none`) it reports CPU per update read from /proc for both processes instead
(noisy on a shared box: the same code measured 0.75-1.13 ms per update in back-to-back runs),
with the gateway's kernel share; `--py-spy FILE` / `--py-spy-driver FILE` then also record a
sampling profile of either side (py-spy's raw format, for flame graphs). User-space
instructions only: a system call counts as one (the gateway's kernel time was 5 % of its CPU).
Counts move by a few per cent with what runs under valgrind: compare runs of one `--count`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import telegram_chats as tg
import ussd
from harness import (
    bench_database,
    callgrind,
    callgrind_control,
    callgrind_total,
    cpu_seconds,
    free_port,
    machine,
)

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 900  # the gateway imports and migrates under valgrind: slow
FIRST_CHAT = tg.FIRST_CHAT


# -- the driver (a child process: the fake Bot API and the chats) ---------------------------------


async def _drive(chats: int, journeys: int, port_file: str) -> None:
    """Serve the fake; on each line from the parent: `warm` (one journey per chat), `go`
    (`journeys` more, counted), `quit`. Answers each with a line; a ticker keeps the loop awake
    so callgrind sees its control commands while waiting."""
    loop = asyncio.get_running_loop()
    users = [tg.User(FIRST_CHAT + n, f"Chat{n}") for n in range(chats)]

    async def tick() -> None:
        while True:  # noqa: ASYNC110 - not waiting for anything: keeping the loop awake
            await asyncio.sleep(0.05)

    ticker = asyncio.create_task(tick())
    async with tg.fake_bot_api() as api:
        Path(port_file).write_text(api.root)  # noqa: ASYNC240 - once, before any load
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line.startswith("webhook "):
                api.webhook = {"url": line.split()[1], "secret_token": tg.SECRET}
                print("ok", flush=True)
            elif line in ("warm", "go"):
                runs = 1 if line == "warm" else journeys
                cpu0 = cpu_seconds(os.getpid())
                updates, errors = await _journeys(api, users, runs)
                cpu = cpu_seconds(os.getpid()) - cpu0
                print(f"{updates} {errors} {cpu}", flush=True)
            else:
                break
    ticker.cancel()


async def _journeys(api: tg.TimedFake, users: list[tg.User], runs: int) -> tuple[int, int]:
    """`runs` journeys per chat, the chats side by side; (updates, errors)."""
    api.calls.clear()
    counts = [0, 0]

    async def chat(user: tg.User) -> None:
        for _ in range(runs):
            for kind, arg, expect in tg.JOURNEY:
                update = tg._update(api, user, kind, arg)
                status = await api.deliver(update)
                counts[0] += 1
                if status != 200 or not api.newest[user.id].visible.startswith(expect):
                    counts[1] += 1
                    return

    await asyncio.gather(*(chat(u) for u in users))
    return counts[0], counts[1]


# -- the parent ------------------------------------------------------------------------------------


def _ask(driver: subprocess.Popen[str], line: str) -> str:
    assert driver.stdin is not None
    assert driver.stdout is not None
    driver.stdin.write(line + "\n")
    driver.stdin.flush()
    answer = driver.stdout.readline().strip()
    if not answer:
        raise SystemExit(f"the driver stopped (after {line!r})")
    return answer


def _sys_seconds(pid: int) -> float:
    """The system (kernel) part of `cpu_seconds`."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[12]) / os.sysconf("SC_CLK_TCK")


def _ready(url: str) -> bool:
    try:
        answer = httpx.post(
            url, content=b"{}", headers={"X-Telegram-Bot-Api-Secret-Token": tg.SECRET}, timeout=5
        )
    except httpx.TransportError:
        return False
    return answer.status_code == 200


def run(args: argparse.Namespace, env: dict[str, str]) -> dict[str, float]:
    counted = set(args.count.split(",")) - {"none"}
    out = f"/tmp/paylink-tg-callgrind-{uuid.uuid4().hex[:8]}"  # noqa: S108 - valgrind's files
    port_file = f"{out}.port"
    driver_cmd = [sys.executable, __file__, "--drive", str(args.chats), str(args.journeys)]
    driver_cmd.append(port_file)
    if "driver" in counted:
        driver_cmd = callgrind(out + ".driver") + driver_cmd
    driver = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        driver_cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    gateway: subprocess.Popen[bytes] | None = None
    driver_spy: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not os.path.exists(port_file) or not Path(port_file).read_text():
            if driver.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the driver never served the fake")
            time.sleep(0.5)
        fake_root = Path(port_file).read_text()
        port = free_port()
        webhook = f"http://127.0.0.1:{port}/telegram/webhook"
        _ask(driver, f"webhook {webhook}")
        if args.py_spy_driver:  # a sampling profile of the driver (attached: stdio is in use)
            spy, pid = str(Path(sys.executable).with_name("py-spy")), str(driver.pid)
            driver_spy = subprocess.Popen(  # noqa: S603 - py-spy beside our interpreter
                [spy, "record", "-f", "raw", "-r", "250", "-o", args.py_spy_driver, "--pid", pid],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        gateway_env = env | {
            "TELEGRAM_BOT_TOKEN": tg.TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": tg.SECRET,
            "TELEGRAM_API_BASE_URL": f"{fake_root}/bot",
        }
        command = [sys.executable, "-c", ussd.ASYNCIO_SERVE, "serve", "--port", str(port)]
        if "gateway" in counted:
            command = callgrind(out + ".gateway") + command
        elif args.py_spy:  # a sampling profile of the gateway instead (raw, for flame graphs)
            spy = str(Path(sys.executable).with_name("py-spy"))
            command = [spy, "record", "-f", "raw", "-r", "250", "-o", args.py_spy, "--", *command]
        gateway = subprocess.Popen(  # noqa: S603 - our own interpreter (under valgrind)
            command, env=gateway_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while not _ready(webhook):
            if gateway.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the gateway never became ready")
            time.sleep(1)
        if _ask(driver, "warm").split()[1] != "0":
            raise SystemExit("the warm-up journeys' replies were not as expected")
        for side, pid in (("gateway", gateway.pid), ("driver", driver.pid)):
            if side in counted:
                callgrind_control("--instr=on", pid)
        gateway_cpu0, gateway_sys0 = cpu_seconds(gateway.pid), _sys_seconds(gateway.pid)
        updates_s, errors_s, driver_cpu_s = _ask(driver, "go").split()
        gateway_cpu = cpu_seconds(gateway.pid) - gateway_cpu0
        gateway_sys = _sys_seconds(gateway.pid) - gateway_sys0
        for side, pid in (("gateway", gateway.pid), ("driver", driver.pid)):
            if side in counted:
                callgrind_control("--dump=measured", pid)
        updates, errors = int(updates_s), int(errors_s)
        if errors:
            raise SystemExit(f"{errors} replies were not as expected")
        result = {
            "updates": float(updates),
            "gateway_cpu_ms": gateway_cpu / updates * 1000,
            "gateway_sys_ms": gateway_sys / updates * 1000,
            "driver_cpu_ms": float(driver_cpu_s) / updates * 1000,
        }
        assert driver.stdin is not None
        driver.stdin.write("quit\n")
        driver.stdin.flush()
        driver.wait(timeout=300)
    finally:
        if driver_spy is not None:
            driver_spy.send_signal(signal.SIGINT)
            driver_spy.wait(timeout=60)
        if gateway is not None:
            if args.py_spy:  # py-spy writes its file on SIGINT, then stops the gateway
                gateway.send_signal(signal.SIGINT)
            else:
                gateway.terminate()
            gateway.wait(timeout=300)
        if driver.poll() is None:
            driver.terminate()
            driver.wait(timeout=300)
        if os.path.exists(port_file):
            os.remove(port_file)
    for side, process in (("gateway", gateway), ("driver", driver)):
        if side in counted and process is not None:
            total = callgrind_total(f"{out}.{side}", process.pid)
            if not total:
                raise SystemExit(f"no callgrind count for the {side}")
            result[f"{side}_instructions"] = total / updates
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--journeys", type=int, default=4, help="counted journeys per chat")
    parser.add_argument("--count", default="gateway,driver", help="gateway,driver or none")
    parser.add_argument("--py-spy", help="with --count none: profile the gateway to this file")
    parser.add_argument("--py-spy-driver", help="with --count none: profile the driver")
    parser.add_argument("--drive", nargs=3, help=argparse.SUPPRESS)  # child: fake + chats
    args = parser.parse_args()
    if args.drive:
        chats, journeys, port_file = args.drive
        sys.modules["uvloop"] = None  # type: ignore[assignment] - asyncio's loop, as the gateway
        asyncio.run(_drive(int(chats), int(journeys), port_file))
        return
    phones = [f"+234803{n:07d}" for n in range(3_000_001, 3_000_001 + args.chats)]
    with bench_database() as db_url, ussd.redis_prefix() as prefix:
        asyncio.run(ussd.seed(db_url, phones))
        asyncio.run(tg.seed_chats(db_url, phones, FIRST_CHAT))
        env = ussd.server_env() | ussd.gateway_settings(db_url, prefix)
        result = run(args, env)
    print(f"`bench/telegram_instructions.py --journeys {args.journeys}`, {machine()}, asyncio:")
    print(f"- updates counted: {result['updates']:,.0f}")
    for side in ("gateway", "driver"):
        if f"{side}_instructions" in result:
            print(
                f"- {side}: {result[f'{side}_instructions'] / 1e3:,.1f} k instructions per update"
            )
        else:
            print(f"- {side}: {result[f'{side}_cpu_ms']:.3f} ms CPU per update (from /proc)")
    if "gateway_instructions" not in result:
        print(f"- of which the gateway's in the kernel: {result['gateway_sys_ms']:.3f} ms")


if __name__ == "__main__":
    main()
