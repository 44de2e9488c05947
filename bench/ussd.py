"""USSD hops per second and latency at 50 concurrent sessions, against the floor of the design.

Run by hand (not in CI), with Postgres and Redis on loopback:

    .venv/bin/python bench/ussd.py [--sessions 50] [--seconds 15] [--rounds 3] [--append]

Needs `node` and `npm` on PATH for the Node peer (its packages are installed with `npm ci` in
bench/node-ussd on first use), and uvloop installed (`pip install -e '.[uvloop]'`) for the
uvloop/asyncio comparison.

What runs, each in its own process so none steals another's event loop:
- the floor: a bare aiohttp handler doing one Redis GET and one SET (a session-sized value)
  per hop, i.e. what any Redis-backed USSD design must at least do; it runs with the garbage
  collector settings the gateway uses (`gateway.cli.collector`), so neither side has a tuning
  the other lacks; a second floor runs on uvloop, the gateway's own loop (`--phases`
  `floor-uvloop`);
- the Node peer (issue 18): bench/node-ussd/server.js, the npm package ussd-menu-builder on
  Express with its sessions in Redis (a hash per session, one read and one write per hop,
  ioredis auto-pipelining), serving the menu journey below with the gateway's texts;
- the gateway: `paylink serve` on Postgres + Redis (built-in simulator for the catalogue), on
  uvloop when it is installed; a second one with uvloop hidden, on asyncio's own loop;
- the load: `--sessions` handsets, each dialling journeys back to back with a fresh session
  id, every hop a real AT form with the accumulated `text`, every gateway reply checked.

Phases, alternated round by round so a noisy neighbour hits floor and gateway alike:
- floor: the handsets hammer the floor with 5-hop journeys, no think time;
- node: the Node peer, the menu journey below, every reply checked as the gateway's are;
- menu: the gateway, journey dial, 1 Airtime, 1 My number, 500, 00 (back to the main menu):
  five hops on the session store and the engine alone, no think time;
- asyncio: the same menu journey on the gateway without uvloop;
- full: the gateway, dial, 1, 1, 500, PIN (peppered argon2id check, wallet debit, purchase
  row, worker wake-up, END), no think time;
- paced (once, at the end): the full journey with 0.5-1.5 s of think time per hop, as people
  type: the latency a caller sees at 50 concurrent sessions, not the queue at saturation.

With no think time, 50 handsets keep 50 hops in flight, so latency is the queue (Little's law:
50 / throughput) and only the paced phase shows service time. The database is a fresh
`gw_bench_<uuid>` on PAYLINK_TEST_DATABASE_URL, dropped afterwards; Redis keys live under a
unique prefix, deleted afterwards. `--append` adds the section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from harness import bench_database, cpu_seconds, free_port, machine, service_cpu, ussd_form

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

RESULTS = ROOT / "bench" / "RESULTS.md"
NODE_DIR = ROOT / "bench" / "node-ussd"
# `paylink serve` with uvloop hidden: `event_loop_factory` then falls back to asyncio's loop
ASYNCIO_SERVE = (
    "import runpy, sys; sys.modules['uvloop'] = None; sys.argv[0] = 'paylink'; "
    "runpy.run_module('gateway', run_name='__main__')"
)
REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
# varied enough for the settings' strength check (issue 13), which refuses "b" * 40
JWT_SECRET = "bench-ussd-" + "0123456789abcdefghijklmnopqrstuvwxyz"
PIN = "2580"
FULL = ("", "1", "1", "500", PIN)  # dial, Airtime, My number, amount, PIN
MENU = ("", "1", "1", "500", "00")  # the same menus, then back to the main menu
RECEIVED = "END Request received. Ref PL-"  # then the reference (issue 14), a prefix check
EXPECTED = {0: "CON PayLink\n", 3: "CON MTN airtime N500\n"}  # checked on the gateway
FLOOR_VALUE = b"x" * 700  # about a session record in this journey
FLOOR_GC_THRESHOLD = (
    10_000,
    10,
    10,
)  # = gateway.cli.collector.GC_THRESHOLD (checked in `orchestrate`)
Result = dict[str, Any]  # the load generator's JSON: samples (hop index, seconds), wall, errors


@dataclass(frozen=True)
class Plan:
    """What one load-generator process does (passed to it as JSON)."""

    url: str
    phones: list[str]
    seconds: float
    warmup: float
    journey: tuple[str, ...]
    strict: bool  # check every reply (the floor answers the same CON to everything)
    think_s: float = 0.0  # mean pause before each hop after the dial


# -- the floor server (a separate process) --------------------------------------------------------


def run_floor(port: int, prefix: str, *, on_uvloop: bool = False) -> None:
    import redis.asyncio as aioredis
    from aiohttp import web

    async def context(app: web.Application) -> Any:
        app["redis"] = aioredis.Redis.from_url(REDIS_URL)
        # the collector settings the gateway runs with (`gateway.cli.collector`), so neither side
        # gets a tuning the other lacks
        gc.freeze()
        gc.set_threshold(*FLOOR_GC_THRESHOLD)
        yield
        await app["redis"].aclose()

    async def hop(request: web.Request) -> web.Response:
        form = await request.post()
        key = f"{prefix}floor:{form.get('sessionId')}"
        redis = request.app["redis"]
        await redis.get(key)
        await redis.set(key, FLOOR_VALUE, px=180_000)
        return web.Response(text="CON PayLink\n1 Airtime\n2 Data", content_type="text/plain")

    app = web.Application()
    app.cleanup_ctx.append(context)
    app.router.add_post("/ussd/africastalking", hop)
    app.router.add_get("/healthz", lambda _: web.Response(text="ok"))
    loop = None
    if on_uvloop:  # the floor for the gateway on uvloop: the same loop on both sides
        import uvloop

        loop = uvloop.new_event_loop()
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, loop=loop)


# -- the load generator (a separate process) ------------------------------------------------------


def _expected(journey: tuple[str, ...], index: int) -> str:
    if index == len(journey) - 1:
        return RECEIVED if journey[-1] == PIN else "CON PayLink\n"
    return EXPECTED.get(index, "CON ")


async def _handset(
    http: aiohttp.ClientSession,
    plan: Plan,
    phone: str,
    window: tuple[float, float],
    samples: list[tuple[int, float]],
    errors: list[str],
) -> None:
    """Journeys back to back until the window closes; hops started inside it are recorded."""
    loop = asyncio.get_running_loop()
    if plan.think_s:  # paced handsets start spread over a journey's length, as callers do
        await asyncio.sleep(random.uniform(0, plan.think_s * len(plan.journey)))
    while loop.time() < window[1]:
        session_id = f"ATUid_{uuid.uuid4().hex}"
        typed: list[str] = []
        for index, entry in enumerate(plan.journey):
            if plan.think_s:  # before the dial too: people do not redial the same instant
                await asyncio.sleep(plan.think_s * random.uniform(0.5, 1.5))
            if index:
                typed.append(entry)
            form = ussd_form(session_id, phone, typed)
            sent = loop.time()
            started = time.perf_counter()
            async with http.post(plan.url, data=form) as response:
                body = await response.text()
            elapsed = time.perf_counter() - started
            if not window[0] <= sent < window[1]:
                continue  # warm-up, or past the end
            samples.append((index, elapsed))
            if response.status != 200 or not body.startswith(("CON ", "END ")):
                errors.append(f"{response.status} {body[:60]!r}")
            elif plan.strict and not body.startswith(_expected(plan.journey, index)):
                errors.append(body[:60])


async def _load(plan: Plan) -> Result:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        now = asyncio.get_running_loop().time()
        window = (now + plan.warmup, now + plan.warmup + plan.seconds)
        samples: list[tuple[int, float]] = []
        errors: list[str] = []
        await asyncio.gather(
            *(_handset(http, plan, p, window, samples, errors) for p in plan.phones)
        )
    wall = plan.seconds  # hops are counted by when they were sent
    return {"samples": samples, "wall": wall, "errors": errors[:5], "error_count": len(errors)}


def run_load(plan_json: str) -> None:
    raw = json.loads(plan_json)
    plan = Plan(**{**raw, "journey": tuple(raw["journey"])})
    print(json.dumps(asyncio.run(_load(plan))))


# -- orchestration -------------------------------------------------------------------------------


@contextmanager
def redis_prefix() -> Iterator[str]:
    import redis

    prefix = f"paylink-bench:{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        client.close()


def node_command(port: int, prefix: str) -> list[str]:
    """The Node peer's command line, its packages installed from the lock file first."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise SystemExit("the node phase needs node and npm on PATH (or drop it from --phases)")
    if not (NODE_DIR / "node_modules" / ".package-lock.json").exists():
        subprocess.run(  # noqa: S603 - npm from PATH, our own lock file
            [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True
        )
    return [node, str(NODE_DIR / "server.js"), str(port), f"{prefix}node:", REDIS_URL]


@contextmanager
def server(
    args: list[str], env: dict[str, str], ready: str, program: str = sys.executable
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [program, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{args} exited with {process.returncode}")
            try:
                if httpx.get(ready, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{args} never became ready")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


def handset_phones(count: int) -> list[str]:
    """The benchmark's handsets (`seed` funds them and sets their PIN)."""
    return [f"+234803{n:07d}" for n in range(2_000_001, 2_000_001 + count)]


def server_env() -> dict[str, str]:
    """This environment without any PayLink or VTPass setting, the repository importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYLINK_", "VTPASS_"))}
    return env | {"PYTHONPATH": str(ROOT)}


def gateway_settings(db_url: str, prefix: str) -> dict[str, str]:
    """The gateway's environment for a bench database and Redis prefix."""
    return {
        "PAYLINK_DATABASE_URL": db_url,
        "PAYLINK_REDIS_URL": REDIS_URL,
        "PAYLINK_REDIS_PREFIX": prefix,
        "PAYLINK_JWT_SECRET": JWT_SECRET,
        "PAYLINK_LOG_LEVEL": "WARNING",
        # the load posts straight to the AT route, as a gateway behind a protecting proxy
        "PAYLINK_AT_CALLBACK_OPEN": "true",
    }


async def seed(db_url: str, phones: list[str]) -> None:
    """A funded wallet and the PIN for every handset."""
    from gateway.clock import SystemClock
    from gateway.purchases.service import PurchaseService
    from gateway.security.pins import PinPepper, set_pin
    from gateway.settings import Secret
    from gateway.store.db import create_db_engine, create_sessionmaker

    engine = create_db_engine(db_url)
    try:
        db = create_sessionmaker(engine)
        service = PurchaseService(db, SystemClock(), worker_id="bench")
        for phone in phones:
            credit = await service.credit_wallet(phone, 150_000_00, f"bench-{phone}")
            # the pepper the gateway derives from its JWT secret (no PAYLINK_PIN_PEPPER set)
            pepper = PinPepper.from_secret(Secret(JWT_SECRET))
            await set_pin(db, credit.user_id, PIN, SystemClock().now(), pepper=pepper)
    finally:
        await engine.dispose()


def measure(plan: Plan, pid: int) -> Result:
    """Run one load-generator process; its samples plus the CPU of the server, the load
    generator, Postgres and Redis over the whole run (warm-up included, which `report`
    accounts for)."""
    command = [sys.executable, __file__, "--load", json.dumps(asdict(plan))]
    before, services = cpu_seconds(pid), service_cpu()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        command,
        capture_output=True,
        text=True,
        check=True,
        timeout=plan.seconds + plan.warmup + 120,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = dict(json.loads(done.stdout))
    result["server_cpu"] = cpu_seconds(pid) - before
    result["cpu"] = {
        "load": after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime,
        **{k: v - services[k] for k, v in service_cpu().items()},
    }
    result["warmup_share"] = plan.warmup / plan.seconds
    return result


def merge(runs: list[Result]) -> Result:
    """Rounds of one phase as one result: all samples over the summed wall time."""
    return {
        "samples": [sample for run in runs for sample in run["samples"]],
        "wall": sum(run["wall"] for run in runs),
        "server_cpu": sum(run["server_cpu"] for run in runs),
        "cpu": {k: sum(run["cpu"][k] for run in runs) for k in runs[0]["cpu"]},
        "warmup_share": runs[0]["warmup_share"],
        "error_count": sum(run["error_count"] for run in runs),
        "errors": [e for run in runs for e in run["errors"]][:5],
        "rates": [len(run["samples"]) / run["wall"] for run in runs],
    }


def summary(result: Result, hops: set[int] | None = None) -> dict[str, float]:
    chosen = [s for i, s in result["samples"] if hops is None or i in hops]
    cut = statistics.quantiles(chosen, n=100, method="inclusive")
    return {
        "hops": len(chosen),
        "per_s": len(chosen) / result["wall"],
        "p50_ms": cut[49] * 1000,
        "p99_ms": cut[98] * 1000,
    }


def _per_hop(run: Result) -> dict[str, float]:
    """CPU milliseconds per hop by process (warm-up hops estimated)."""
    hops = len(run["samples"]) * (1 + run["warmup_share"])
    used = {"server": run["server_cpu"], **run["cpu"]}
    return {k: v / hops * 1000 for k, v in used.items()}


def cpu_lines(runs: dict[str, Result]) -> list[str]:
    """Where the box's two cores go, per hop; and the PIN hop's share, by difference."""
    names = {
        "floor": "floor",
        **MENU_ROWS,
        "full": "gateway full journey",
        "paced": "gateway full journey, paced",
    }
    lines = [
        "| CPU per hop (ms) | server | Postgres | Redis | load generator | all |",
        "|---|---|---|---|---|---|",
    ]

    def line(name: str, cpu: dict[str, float]) -> str:
        cells = " | ".join(f"{cpu[k]:.2f}" for k in ("server", "postgres", "redis", "load"))
        return f"| {name} | {cells} | {sum(cpu.values()):.2f} |"

    for key, name in names.items():
        if key in runs:
            lines.append(line(name, _per_hop(runs[key])))
    if "menu" in runs and "full" in runs:  # a full journey is four menu hops and the PIN hop
        menu, full = _per_hop(runs["menu"]), _per_hop(runs["full"])
        pin = {k: len(FULL) * full[k] - (len(FULL) - 1) * menu[k] for k in full}
        lines.append(line("PIN hop alone (5 x full - 4 x menu)", pin))
    return lines


LOOPS = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio, uvloop not installed"
MENU_ROWS = {  # the phases compared with the floor and Node, by name in the tables
    "floor-uvloop": "floor on uvloop",
    "node": "Node ussd-menu-builder + Express, menu journey",
    "menu": f"gateway menu journey ({LOOPS})",
    "asyncio": "gateway menu journey (asyncio loop)",
}


def _by_round(runs: dict[str, Result], key: str, base: str) -> str:
    """Each round's ratio, then their median (issue 14's done-when is stated on it)."""
    ratios = [k / b for k, b in zip(runs[key]["rates"], runs[base]["rates"], strict=True)]
    listed = ", ".join(f"{ratio:.2f}x" for ratio in ratios)
    return f"{listed} (median {statistics.median(ratios):.2f}x)"


def report(args: argparse.Namespace, runs: dict[str, Result]) -> str:
    if "floor" not in runs:
        raise SystemExit("the floor phase is needed for the ratios")
    base = summary(runs["floor"])
    node = summary(runs["node"]) if "node" in runs else None

    def row(name: str, s: dict[str, float], run: Result | None = None) -> str:
        versus, versus_node, cpu = "-", "-", "-"
        if run is not None:
            versus = f"{s['per_s'] / base['per_s']:.2f}x"
            if node is not None:
                versus_node = f"{s['per_s'] / node['per_s']:.2f}x"
            cpu = f"{_per_hop(run)['server']:.2f} ms"
        return (
            f"| {name} | {s['hops']:,.0f} | {s['per_s']:,.0f} | {versus} | {versus_node} "
            f"| {s['p50_ms']:.1f} ms | {s['p99_ms']:.1f} ms | {cpu} |"
        )

    def hop_line(run: Result) -> str:
        return "; ".join(
            f"hop {i + 1} p50 {summary(run, {i})['p50_ms']:.1f} / p99 "
            f"{summary(run, {i})['p99_ms']:.1f} ms"
            for i in range(len(FULL))
        )

    table = [row("floor, no think time", base, runs["floor"])]
    notes = []
    for key, name in MENU_ROWS.items():
        if key in runs:
            table.append(row(f"{name}, no think time", summary(runs[key]), runs[key]))
            if key != "node":
                notes.append(f"{name} vs. floor by round: {_by_round(runs, key, 'floor')}.")
            if key == "menu" and "floor-uvloop" in runs:
                by_round = _by_round(runs, key, "floor-uvloop")
                notes.append(f"{name} vs. floor on uvloop by round: {by_round}.")
            if key != "node" and "node" in runs:
                notes.append(f"{name} vs. Node by round: {_by_round(runs, key, 'node')}.")
    if "menu" in runs and "asyncio" in runs:
        notes.append(f"uvloop vs. asyncio by round: {_by_round(runs, 'menu', 'asyncio')}.")
    for key, name in (("full", "no think time"), ("paced", "0.5-1.5 s think time")):
        if key in runs:
            run = runs[key]
            table += [
                row(f"gateway full journey, {name}", summary(run), run),
                row("... its menu hops 1-4", summary(run, {0, 1, 2, 3})),
                row("... its PIN hop 5", summary(run, {4})),
            ]
            notes.append(f"Full journey, {name}: {hop_line(run)}.")
    errors = ", ".join(f"{name} {run['error_count']}" for name, run in runs.items())
    notes.append(f"Errors: {errors}.")
    lines = [
        "",
        "## USSD (issues 4, 18): hops at 50 concurrent sessions vs. a Redis GET+SET floor and "
        "a Node ussd-menu-builder server",
        "",
        f"`bench/ussd.py --sessions {args.sessions} --seconds {args.seconds:g} --rounds "
        f"{args.rounds} --phases {args.phases}`, {time.strftime('%Y-%m-%d')}; {machine()}; "
        f"{node_version()}. "
        "Separate processes on this box: the gateway (`paylink serve`, Postgres + Redis; one "
        "on uvloop, one with uvloop hidden on asyncio's loop), the "
        "floor (a bare aiohttp handler, one on asyncio's loop and one on uvloop, one Redis GET "
        "and one SET of 700 bytes per hop, with the gateway's collector settings), the Node peer "
        "(bench/node-ussd: ussd-menu-builder on Express, one process, a Redis hash per session "
        "with one read and one write per hop, ioredis auto-pipelining) and the "
        f"load generator (aiohttp, {args.sessions} handsets, a fresh session per journey, every "
        "gateway and Node reply checked). The phases alternate for "
        f"{args.rounds} rounds of {args.seconds:g} s (each after a {args.warmup:g} s warm-up), "
        f"pooled{'; then one paced round' if 'paced' in runs else ''}. "
        "Menu journey: dial, 1 Airtime, 1 My number, 500, 00. "
        "Full journey: dial, 1, 1, 500, PIN (peppered argon2id check, t=1 m=1 MiB, wallet "
        "debit, purchase row, END). Server CPU is the server process's own (threads "
        "included) per hop; the second table adds Postgres (all backends, including "
        "connections opened and closed during the run), Redis and the load generator.",
        "",
        "| what | hops | hops/s | vs. floor | vs. Node | p50 | p99 | server CPU / hop |",
        "|---|---|---|---|---|---|---|---|",
        *table,
        "",
        *cpu_lines(runs),
        "",
        " ".join(notes),
    ]
    return "\n".join(lines) + "\n"


def node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "no Node"
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return f"Node {done.stdout.strip()}"


def orchestrate(args: argparse.Namespace) -> str:
    from gateway.cli.collector import GC_THRESHOLD

    if GC_THRESHOLD != FLOOR_GC_THRESHOLD:
        raise SystemExit("the floor must run with the gateway's collector settings")
    phones = handset_phones(args.sessions)
    with bench_database() as db_url, redis_prefix() as prefix:
        asyncio.run(seed(db_url, phones))
        env = server_env()
        floor_port, gateway_port = free_port(), free_port()
        node_port, asyncio_port = free_port(), free_port()
        floor_args = [__file__, "--floor", str(floor_port), "--prefix", prefix]
        uvloop_floor_port = free_port()
        uvloop_floor_args = [
            *(__file__, "--floor", str(uvloop_floor_port), "--prefix", prefix, "--uvloop")
        ]
        gateway_env = env | gateway_settings(db_url, prefix)
        gateway_args = ["-m", "gateway", "serve", "--port", str(gateway_port)]
        asyncio_args = ["-c", ASYNCIO_SERVE, "serve", "--port", str(asyncio_port)]
        route = "/ussd/africastalking"
        floor_url = f"http://127.0.0.1:{floor_port}{route}"
        node_url = f"http://127.0.0.1:{node_port}{route}"
        gateway_url = f"http://127.0.0.1:{gateway_port}{route}"
        asyncio_url = f"http://127.0.0.1:{asyncio_port}{route}"
        timing = {"seconds": args.seconds, "warmup": args.warmup}
        every = {
            "floor": Plan(floor_url, phones, journey=FULL, strict=False, **timing),
            "floor-uvloop": Plan(
                f"http://127.0.0.1:{uvloop_floor_port}{route}",
                phones,
                journey=FULL,
                strict=False,
                **timing,
            ),
            "node": Plan(node_url, phones, journey=MENU, strict=True, **timing),
            "menu": Plan(gateway_url, phones, journey=MENU, strict=True, **timing),
            "asyncio": Plan(asyncio_url, phones, journey=MENU, strict=True, **timing),
            "full": Plan(gateway_url, phones, journey=FULL, strict=True, **timing),
        }
        phases = set(args.phases.split(","))
        plans = {name: plan for name, plan in every.items() if name in phases}
        paced = Plan(gateway_url, phones, journey=FULL, strict=True, think_s=1.0, **timing)
        runs: dict[str, list[Result]] = {name: [] for name in plans}
        with ExitStack() as stack:
            pids: dict[str, int] = {}

            def start(names: set[str], *how: Any) -> None:
                if names & phases:
                    process = stack.enter_context(server(*how))
                    pids.update(dict.fromkeys(names, process.pid))

            start({"floor"}, floor_args, env, f"http://127.0.0.1:{floor_port}/healthz")
            uvloop_floor_ready = f"http://127.0.0.1:{uvloop_floor_port}/healthz"
            start({"floor-uvloop"}, uvloop_floor_args, env, uvloop_floor_ready)
            if "node" in phases:
                node, *node_args = node_command(node_port, prefix)
                start(
                    {"node"},
                    node_args,
                    env | {"NODE_ENV": "production"},
                    f"http://127.0.0.1:{node_port}/healthz",
                    node,
                )
            start(
                {"menu", "full", "paced"},
                gateway_args,
                gateway_env,
                f"http://127.0.0.1:{gateway_port}/readyz",
            )
            start({"asyncio"}, asyncio_args, gateway_env, f"http://127.0.0.1:{asyncio_port}/readyz")
            for _ in range(args.rounds):
                for name, plan in plans.items():
                    runs[name].append(measure(plan, pids[name]))
            merged = {name: merge(results) for name, results in runs.items()}
            if "paced" in phases:
                merged["paced"] = merge([measure(paced, pids["paced"])])
    return report(args, merged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="floor/menu/full cycles")
    parser.add_argument(
        "--phases",
        default="floor,floor-uvloop,node,menu,asyncio,full,paced",
        help="a subset, e.g. floor,node,menu,asyncio",
    )
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--floor", type=int, help=argparse.SUPPRESS)  # child: serve the floor
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--uvloop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", help=argparse.SUPPRESS)  # child: run a JSON Plan
    args = parser.parse_args()
    if args.floor:
        run_floor(args.floor, args.prefix, on_uvloop=args.uvloop)
        return
    if args.load:
        run_load(args.load)
        return
    section = orchestrate(args)
    print(section)
    if args.append:
        with RESULTS.open("a") as results:
            results.write(section)


if __name__ == "__main__":
    main()
