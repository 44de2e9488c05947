"""Instructions per USSD menu hop, the gateway against the floor, counted by callgrind.

Run by hand (not in CI), with Postgres, Redis and valgrind on the machine:

    .venv/bin/python bench/ussd_instructions.py [--journeys 6] [--uvloop]

Why, beside bench/ussd.py: hops per second are only comparable on a quiet machine, and the
ratio between two servers swings by a third from round to round when other work shares the
cores. The instructions a server executes per hop do not depend on who else runs: the
same code and load count the same within about 0.2 %, on a busy box too. So this is the tool
for deciding whether a change pays (run it before and after); bench/ussd.py on a quiet box
stays the measure of record. On this box the two agree: the menu journey at 0.785x of the
floor by instructions ran at 0.77-0.78x by hops per second (bench/RESULTS.md).

What it does: the floor and the gateway of bench/ussd.py (same processes, same seeded
database and handsets), each under `valgrind --tool=callgrind` with counting off; 50 handsets
run one menu journey each to warm up, counting is switched on, they run `--journeys` more
(dial, 1 Airtime, 1 My number, 500, 00; every reply checked to be CON/END), and the count is
dumped. User-space instructions only: system calls count as one instruction each, so a
server that makes fewer of them (the gateway's auto-pipeline writes less often than the
floor's two Redis calls a hop) is, if anything, favoured a little less than by wall time.
`--uvloop` runs both on uvloop (it must be installed); otherwise both on asyncio's loop.

Caveat (bench/RESULTS.md, session 9): the gateway's count depends on how many hops its Redis
auto-pipeline batches together, and under valgrind the gateway is so much slower than Redis
and the load generator that 50 handsets fill its batches far more than in real time; the
floor's two plain Redis calls per hop count the same at any load. `--handsets 15` or `5`
shows the gateway's count with smaller batches (962 k per hop at 50, 1,013 k at 15, 1,206 k
at 5; the floor 912-918 k). Compare counts of one `--handsets` only.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import httpx
import ussd as bench
from harness import (
    bench_database,
    callgrind,
    callgrind_control,
    callgrind_total,
    free_port,
    machine,
    ussd_form,
)

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = 50
READY_TIMEOUT_S = 600  # the gateway imports and migrates under valgrind: slow


async def journeys(url: str, phones: list[str], count: int) -> int:
    """`count` menu journeys per handset, concurrently; the hops made."""
    hops = 0

    async def handset(http: aiohttp.ClientSession, phone: str) -> None:
        nonlocal hops
        for _ in range(count):
            session_id, typed = f"ATUid_{uuid.uuid4().hex}", []
            for index, entry in enumerate(bench.MENU):
                if index:
                    typed.append(entry)
                async with http.post(url, data=ussd_form(session_id, phone, typed)) as answer:
                    body = await answer.text()
                if answer.status != 200 or body[:4] not in ("CON ", "END "):
                    raise SystemExit(f"bad reply {answer.status}: {body[:60]!r}")
                hops += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        await asyncio.gather(*(handset(http, phone) for phone in phones))
    return hops


def count(what: str, env: dict[str, str], phones: list[str], args: argparse.Namespace) -> float:
    """Instructions per hop of one server (`what`: floor or gateway)."""
    port = free_port()
    if what == "floor":
        command = [str(ROOT / "bench" / "ussd.py"), "--floor", str(port), "--prefix"]
        command += [env["PAYLINK_REDIS_PREFIX"]] + (["--uvloop"] if args.uvloop else [])
        ready = f"http://127.0.0.1:{port}/healthz"
    else:
        serve = ["-m", "gateway"] if args.uvloop else ["-c", bench.ASYNCIO_SERVE]
        command = [*serve, "serve", "--port", str(port)]
        ready = f"http://127.0.0.1:{port}/readyz"
    out = f"/tmp/paylink-callgrind-{uuid.uuid4().hex[:8]}"  # noqa: S108 - valgrind's own files
    process = subprocess.Popen(  # noqa: S603 - valgrind from PATH, our own interpreter
        [*callgrind(out), sys.executable, *command],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _ready(ready):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{what} never became ready under valgrind")
            time.sleep(1)
        url = f"http://127.0.0.1:{port}/ussd/africastalking"
        asyncio.run(journeys(url, phones, 1))  # warm: caches, pools, the catalogue
        callgrind_control("--instr=on", process.pid)
        hops = asyncio.run(journeys(url, phones, args.journeys))
        callgrind_control("--dump=measured", process.pid)
    finally:
        process.terminate()
        process.wait(timeout=120)
    total = callgrind_total(out, process.pid)
    if not total:
        raise SystemExit(f"no callgrind count for the {what}")
    return total / hops


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=6, help="counted journeys per handset")
    parser.add_argument("--uvloop", action="store_true", help="both servers on uvloop")
    parser.add_argument("--handsets", type=int, default=SESSIONS, help="concurrent handsets")
    args = parser.parse_args()
    phones = bench.handset_phones(args.handsets)
    with bench_database() as db_url, bench.redis_prefix() as prefix:
        asyncio.run(bench.seed(db_url, phones))
        env = bench.server_env() | bench.gateway_settings(db_url, prefix)
        floor = count("floor", env, phones, args)
        gateway = count("gateway", env, phones, args)
    loop = "uvloop" if args.uvloop else "asyncio's loop"
    print(
        f"`bench/ussd_instructions.py --journeys {args.journeys} --handsets {args.handsets}`, "
        f"{machine()}, {loop}:"
    )
    print(f"- floor: {floor / 1e3:,.1f} k instructions per hop")
    print(f"- gateway menu journey: {gateway / 1e3:,.1f} k instructions per hop")
    print(f"- gateway vs. floor: {floor / gateway:.3f}x (the floor's cost over the gateway's)")


if __name__ == "__main__":
    main()
