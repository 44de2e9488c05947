"""Mixed load on a small deployment: two gateways, two workers, every channel at once.

Run by hand (not in CI), with Postgres and Redis on loopback:

    .venv/bin/python bench/load.py [--seconds 60] [--append]

What runs, each in its own process: `paylink simulator` (VTPass at 0 ms), two `paylink serve`
gateways and two `paylink worker` processes, on a fresh `gw_bench_<uuid>` database and a
unique Redis prefix (both removed afterwards). This process serves the fake Africa's Talking
SMS API (tests/fixtures/fake_at.py, answering at once) and the fake Bot API
(bench/telegram_chats.py's), and drives the load, closed-loop with no think time:

- USSD handsets: dial, 1 Airtime, 2 Another number, 08011111111 (the sandbox's success
  number), 1 MTN, 100, PIN: a real purchase; the hops of one session alternate between the
  gateways, as a balancer without stickiness sends them;
- SMS phones: `BAL` and `HISTORY` by AT's inbound callback (answered 200 at once, the reply
  queued and sent by a worker through the fake AT);
- Telegram chats: bench/telegram_chats.py's journey (/menu, tap Airtime, tap My number, type
  500, tap Menu) through the webhook, alternating gateways, every reply checked at the fake;
- REST clients: log in, then five times list the transactions and buy ₦100 of airtime for
  08011111111 with an Idempotency-Key, then log in again; alternating gateways.

Each request is timed and checked (status and body). When the time is up, the load stops,
every purchase must settle and the outbox empty (up to a minute), and `paylink reconcile`
must exit 0. Printed: requests per second, p50/p99 and errors per route, purchases by status,
SMS the fake AT took, and the reconcile verdict. `--append` adds it to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import telegram_chats
import ussd
from aiohttp import web
from harness import bench_database, cpu_seconds, free_port, machine, ussd_form

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from tests.fixtures.fake_at import API_KEY, SENDER_ID, USERNAME, FakeAt  # noqa: E402
from tests.fixtures.fake_bot_api import TOKEN, User  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
PASSWORD = "bench-load-password-1"  # noqa: S105 - the bench's own
AIRTIME_KOBO = 100_00
# VTPass's sandbox (and the simulator) delivers only to its success number; any other fails
SUCCESS_PHONE = "08011111111"
# dial, Airtime, Another number, the number, MTN (no prefix to guess it from), amount, PIN
USSD_JOURNEY = ("", "1", "2", SUCCESS_PHONE, "1", "100", ussd.PIN)
SMS_COMMANDS = ("BAL", "HISTORY")
OPEN_STATUSES = ("initiated", "pending")


@dataclass
class Tally:
    """Every request's route, seconds and whether it was right, while the window is open."""

    window: tuple[float, float]
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def open(self) -> bool:
        return asyncio.get_running_loop().time() < self.window[1]

    def note(self, route: str, sent: float, seconds: float, problem: str | None) -> None:
        if not self.window[0] <= sent < self.window[1]:
            return  # warm-up
        self.samples[route].append(seconds)
        if problem is not None:
            self.errors[route] += 1
            self.examples.setdefault(route, problem[:100])


@asynccontextmanager
async def timed(tally: Tally, route: str) -> AsyncIterator[list[str | None]]:
    """Times the block; the block puts a problem (or None) in the list it is given."""
    loop = asyncio.get_running_loop()
    sent, started = loop.time(), time.perf_counter()
    problem: list[str | None] = [None]
    try:
        yield problem
    except (aiohttp.ClientError, TimeoutError, LookupError) as exc:
        problem[0] = f"{type(exc).__name__}: {exc}"
    tally.note(route, sent, time.perf_counter() - started, problem[0])


# -- the actors -----------------------------------------------------------------------------------


async def handset(http: aiohttp.ClientSession, urls: list[str], phone: str, tally: Tally) -> None:
    hop_count = 0
    while tally.open():
        session_id, typed = f"ATUid_{uuid.uuid4().hex}", []
        for index, entry in enumerate(USSD_JOURNEY):
            if index:
                typed.append(entry)
            form = ussd_form(session_id, phone, typed)
            last = index == len(USSD_JOURNEY) - 1
            route = "USSD PIN hop (buys)" if last else "USSD menu hop"
            url = urls[hop_count % len(urls)] + "/ussd/africastalking"
            hop_count += 1
            async with timed(tally, route) as problem:
                async with http.post(url, data=form) as answer:
                    body = await answer.text()
                want = ussd.RECEIVED if last else "CON "
                if answer.status != 200 or not body.startswith(want):
                    problem[0] = f"{answer.status} {body[:60]!r}"
            if problem[0]:
                break


async def texter(http: aiohttp.ClientSession, urls: list[str], phone: str, tally: Tally) -> None:
    sent = 0
    while tally.open():
        form = {
            "from": phone,
            "to": "20880",
            "text": SMS_COMMANDS[sent % len(SMS_COMMANDS)],
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "id": uuid.uuid4().hex,
            "linkId": "",
            "networkCode": "62130",
        }
        url = urls[sent % len(urls)] + "/sms/africastalking/inbound"
        sent += 1
        async with timed(tally, "SMS inbound") as problem:
            async with http.post(url, data=form) as answer:
                await answer.read()
            if answer.status != 200:
                problem[0] = f"{answer.status}"


async def chat(api: telegram_chats.TimedFake, urls: list[str], user: User, tally: Tally) -> None:
    updates = 0
    while tally.open():
        for kind, arg, expect in telegram_chats.JOURNEY:
            url = urls[updates % len(urls)] + "/telegram/webhook"
            updates += 1
            async with timed(tally, "Telegram update") as problem:
                update = telegram_chats._update(api, user, kind, arg)
                status = await api.deliver(update, url=url, secret=telegram_chats.SECRET)
                shown = api.newest[user.id].visible
                if status != 200 or not shown.startswith(expect):
                    problem[0] = f"{status} {arg}: {shown[:40]!r}"
            if problem[0]:
                break


async def client(http: aiohttp.ClientSession, urls: list[str], phone: str, tally: Tally) -> None:
    calls = 0
    while tally.open():
        base = urls[calls % len(urls)] + "/api/v1"
        calls += 1
        async with timed(tally, "REST login") as problem:
            login = {"phone": phone, "password": PASSWORD}
            async with http.post(f"{base}/auth/login", json=login) as answer:
                body = await answer.json()
            if answer.status != 200:
                problem[0] = f"{answer.status} {body}"
        if problem[0]:
            continue
        auth = {"Authorization": f"Bearer {body['access_token']}"}
        for _ in range(5):
            base = urls[calls % len(urls)] + "/api/v1"
            calls += 1
            async with timed(tally, "REST transactions list") as problem:
                async with http.get(f"{base}/transactions", headers=auth) as answer:
                    await answer.read()
                if answer.status != 200:
                    problem[0] = f"{answer.status}"
            order = {
                "service_id": "mtn",
                "amount": AIRTIME_KOBO,
                "phone": SUCCESS_PHONE,
                "pin": ussd.PIN,
            }
            headers = auth | {"Idempotency-Key": uuid.uuid4().hex}
            async with timed(tally, "REST purchase") as problem:
                async with http.post(f"{base}/purchases", json=order, headers=headers) as answer:
                    text = await answer.text()
                if answer.status != 202:
                    problem[0] = f"{answer.status} {text[:80]}"


# -- the deployment -------------------------------------------------------------------------------


@asynccontextmanager
async def served(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def child(
    args: list[str], env: dict[str, str], ready: str | None, log: Path
) -> AsyncIterator[int]:
    """A `python -m gateway ...` process, ready when `ready` answers 200; TERM on the way out.
    Its output goes to `log` (WARNING and up: what went wrong, if anything)."""
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gateway",
            *args,
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )
    try:
        deadline = time.monotonic() + 90
        async with aiohttp.ClientSession() as http:
            while ready is not None:
                if process.returncode is not None:
                    raise RuntimeError(f"{args} exited with {process.returncode}")
                try:
                    async with http.get(ready) as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{args} never became ready")
                await asyncio.sleep(0.3)
        yield process.pid
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def seed(db_url: str, groups: dict[str, list[str]], first_chat: int) -> list[User]:
    """Wallets and PINs for every phone, passwords for the REST clients, chats linked."""
    from sqlalchemy import update

    from gateway.security.passwords import hash_password
    from gateway.store.db import create_db_engine, create_sessionmaker
    from gateway.store.tables import User as UserRow

    await ussd.seed(db_url, [p for phones in groups.values() for p in phones])
    engine = create_db_engine(db_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            hashed = await hash_password(PASSWORD)
            where = UserRow.phone.in_(groups["rest"])
            await session.execute(update(UserRow).where(where).values(password_hash=hashed))
    finally:
        await engine.dispose()
    return await telegram_chats.seed_chats(db_url, groups["telegram"], first_chat)


async def settled(db_url: str, limit_s: float) -> dict[str, Any]:
    """Waits until no purchase is open and no message queued; what the database then holds."""
    from sqlalchemy import func, select

    from gateway.store.db import create_db_engine, create_sessionmaker
    from gateway.store.tables import outbox_table, purchases_table

    engine = create_db_engine(db_url)
    db = create_sessionmaker(engine)
    started = time.monotonic()
    try:
        while True:
            async with db() as session:
                purchases = dict(
                    (
                        await session.execute(
                            select(purchases_table.c.status, func.count()).group_by(
                                purchases_table.c.status
                            )
                        )
                    ).all()
                )
                outbox = dict(
                    (
                        await session.execute(
                            select(outbox_table.c.status, func.count()).group_by(
                                outbox_table.c.status
                            )
                        )
                    ).all()
                )
            open_ = sum(purchases.get(s, 0) for s in OPEN_STATUSES)
            queued = sum(n for s, n in outbox.items() if s not in ("sent", "failed", "delivered"))
            waited = time.monotonic() - started
            if (not open_ and not queued) or waited > limit_s:
                return {"purchases": purchases, "outbox": outbox, "waited_s": waited}
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


def reconcile(env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "reconcile"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


async def orchestrate(args: argparse.Namespace) -> str:
    counts = {"ussd": args.ussd, "sms": args.sms, "telegram": args.chats, "rest": args.rest}
    firsts = {"ussd": 4_000_001, "sms": 5_000_001, "telegram": 6_000_001, "rest": 7_000_001}
    groups = {
        kind: [f"+234803{n:07d}" for n in range(firsts[kind], firsts[kind] + counts[kind])]
        for kind in counts
    }
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PAYLINK_", "VTPASS_", "TELEGRAM_", "AT_"))
    } | {"PYTHONPATH": str(ROOT)}
    logs = Path(args.logs)
    with bench_database() as db_url, ussd.redis_prefix() as prefix:
        users = await seed(db_url, groups, first_chat=8_000_001)
        async with AsyncExitStack() as stack:
            fake_at = FakeAt()
            at_url = await stack.enter_async_context(served(fake_at.app()))
            api = await stack.enter_async_context(telegram_chats.fake_bot_api())
            sim_port = free_port()
            sim_url = f"http://127.0.0.1:{sim_port}"
            pids = {"driver (this process)": os.getpid()}
            pids["simulator"] = await stack.enter_async_context(
                child(["simulator", "--port", str(sim_port)], base_env, None, logs / "sim.log")
            )
            env = base_env | {
                "PAYLINK_DATABASE_URL": db_url,
                "PAYLINK_REDIS_URL": ussd.REDIS_URL,
                "PAYLINK_REDIS_PREFIX": prefix,
                "PAYLINK_JWT_SECRET": ussd.JWT_SECRET,
                "PAYLINK_LOG_LEVEL": "WARNING",
                "PAYLINK_AT_CALLBACK_OPEN": "true",
                "PAYLINK_VTPASS_BASE_URL": f"{sim_url}/api/",
                "PAYLINK_SHUTDOWN_DELAY": "0",
                # one address sends everything here; the limits are not what is measured
                "PAYLINK_LOGIN_LIMIT_PER_ACCOUNT": "1000000",
                "PAYLINK_LOGIN_LIMIT_PER_IP": "1000000",
                "PAYLINK_SMS_INBOUND_LIMIT": "1000000",
                "AT_USERNAME": USERNAME,
                "AT_API_KEY": API_KEY,
                "AT_SENDER_ID": SENDER_ID,
                "AT_API_BASE_URL": at_url,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_WEBHOOK_SECRET": telegram_chats.SECRET,
                "TELEGRAM_API_BASE_URL": api.base_url,
            }
            ports = [free_port() for _ in range(args.gateways)]
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            for n, (port, url) in enumerate(zip(ports, urls, strict=True)):
                serve = ["serve", "--port", str(port)]
                log = logs / f"gateway-{n}.log"
                pids[f"gateway {n + 1}"] = await stack.enter_async_context(
                    child(serve, env, f"{url}/readyz", log)
                )
            for n in range(args.workers):
                log = logs / f"worker-{n}.log"
                pids[f"worker {n + 1}"] = await stack.enter_async_context(
                    child(["worker"], env, None, log)
                )
            await asyncio.sleep(3)  # the bots' getMe, the workers' first catalogue load
            loop = asyncio.get_running_loop()
            now = loop.time()
            tally = Tally((now + args.warmup, now + args.warmup + args.seconds))
            connector = aiohttp.TCPConnector(limit=0)
            cpu: dict[str, float] = {}

            async def cpu_in_window() -> None:
                await asyncio.sleep(args.warmup)
                cpu.update({name: -cpu_seconds(pid) for name, pid in pids.items()})
                await asyncio.sleep(args.seconds)
                cpu.update({name: cpu[name] + cpu_seconds(pid) for name, pid in pids.items()})

            async with aiohttp.ClientSession(connector=connector) as http:
                await asyncio.gather(
                    cpu_in_window(),
                    *(handset(http, urls, p, tally) for p in groups["ussd"]),
                    *(texter(http, urls, p, tally) for p in groups["sms"]),
                    *(chat(api, urls, u, tally) for u in users),
                    *(client(http, urls, p, tally) for p in groups["rest"]),
                )
            after = await settled(db_url, limit_s=60)
            verdict = reconcile(env)
            sms = fake_at.stats()
    return report(args, tally, after, verdict, sms, cpu)


def _ms(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0] * 1000, values[0] * 1000) if values else (0.0, 0.0)
    cut = statistics.quantiles(values, n=100, method="inclusive")
    return cut[49] * 1000, cut[98] * 1000


def report(
    args: argparse.Namespace,
    tally: Tally,
    after: dict[str, Any],
    verdict: tuple[int, str],
    sms: dict[str, int],
    cpu: dict[str, float],
) -> str:
    total = sum(len(v) for v in tally.samples.values())
    errors = sum(tally.errors.values())
    rows = []
    for route, values in sorted(tally.samples.items()):
        p50, p99 = _ms(values)
        rows.append(
            f"| {route} | {len(values):,} | {len(values) / args.seconds:,.1f} | {p50:.1f} ms "
            f"| {p99:.1f} ms | {tally.errors[route]} |"
        )
    purchases = ", ".join(f"{s} {n:,}" for s, n in sorted(after["purchases"].items()))
    outbox = ", ".join(f"{s} {n:,}" for s, n in sorted(after["outbox"].items()))
    examples = "; ".join(f"{r}: {e}" for r, e in tally.examples.items()) or "none"
    clean = "clean (exit 0)" if verdict[0] == 0 else f"NOT clean (exit {verdict[0]})"
    command = (
        f"bench/load.py --seconds {args.seconds:g} --ussd {args.ussd} --sms {args.sms} "
        f"--chats {args.chats} --rest {args.rest} --gateways {args.gateways} "
        f"--workers {args.workers}"
    )
    lines = [
        "",
        "## Mixed load (issue 18): two gateways, two workers, every channel at once",
        "",
        f"`{command}`, {time.strftime('%Y-%m-%d %H:%M')}; {machine()}. Separate processes: "
        f"{args.gateways} gateways (`paylink serve`), {args.workers} workers (`paylink worker`), "
        "the VTPass simulator at 0 ms, Postgres and Redis; this process serves the fake AT and "
        "Bot API and drives the load, closed-loop, no think time, alternating gateways request "
        f"by request: {args.ussd} USSD handsets (dial, 1 Airtime, 2 Another number, "
        f"08011111111, 1 MTN, 100, PIN: a purchase each journey), {args.sms} SMS phones "
        f"(BAL / HISTORY), {args.chats} Telegram chats (/menu, "
        f"Airtime, My number, 500, Menu), {args.rest} REST clients (login, then 5 x (list "
        f"transactions, buy ₦100 airtime for 08011111111)). {args.seconds:g} s measured after a "
        f"{args.warmup:g} s warm-up.",
        "",
        f"**{total / args.seconds:,.0f} requests/s** in all, {errors} errors.",
        "",
        "| route | requests | per s | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"After the load: purchases {purchases} (settled {after['waited_s']:.1f} s after the "
        f"load stopped); outbox {outbox}; the fake AT took {sms['accepted']:,} SMS. "
        f"`paylink reconcile`: **{clean}**. "
        f"Error examples: {examples}.",
        "",
        "CPU over the measured window, in cores (Postgres and Redis are shared with other "
        "work on this box, so not separable): "
        + ", ".join(f"{name} {used / args.seconds:.2f}" for name, used in cpu.items())
        + f"; {sum(cpu.values()) / total * 1000:.2f} ms of these processes' CPU per request.",
        "",
    ]
    if verdict[0] != 0:
        lines += ["```", verdict[1][-2000:], "```", ""]
    return "\n".join(lines)


def _loop_factory() -> Any:
    """uvloop for the driver when installed: this one process plays every client and both fakes."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--ussd", type=int, default=16, help="USSD handsets")
    parser.add_argument("--sms", type=int, default=4, help="SMS phones")
    parser.add_argument("--chats", type=int, default=8, help="Telegram chats")
    parser.add_argument("--rest", type=int, default=4, help="REST clients")
    parser.add_argument("--gateways", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--logs", help="a folder for the children's output (default: a new one)")
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    args.logs = args.logs or tempfile.mkdtemp(prefix="paylink-bench-load-")
    Path(args.logs).mkdir(parents=True, exist_ok=True)
    print(f"children's output in {args.logs}", file=sys.stderr)
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        section = runner.run(orchestrate(args))
    print(section)
    if args.append:
        with RESULTS.open("a") as results:
            results.write(section)


if __name__ == "__main__":
    main()
