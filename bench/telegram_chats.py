"""Telegram: updates per second through the webhook, and receipts per second from one worker.

Run by hand (not in CI), with Postgres and Redis on loopback:

    .venv/bin/python bench/telegram_chats.py [--chats 50] [--seconds 10] [--rounds 2]
        [--receipts 600] [--append]

What runs, each in its own process:
- the gateway: `paylink serve` on Postgres + Redis (built-in simulator for the catalogue), its
  bot (python-telegram-bot) pointed at the fake Bot API by `TELEGRAM_API_BASE_URL`;
- this process: the fake Bot API (`tests/fixtures/fake_bot_api.py`, answering at once) and the
  chats that drive it: each update is POSTed to `/telegram/webhook` with the secret, as
  Telegram does, and the bot's reply is read back from the fake;
- the USSD load generator of `bench/ussd.py`, for the USSD menu journey on the same gateway;
- the pusher: one worker's telegram outbox lane (`Worker` + `TelegramNotifier`, the classes
  `paylink worker` runs) sending queued receipts to the fake.

Phases, alternated round by round so a noisy neighbour hits both alike:
- ussd menu: `bench/ussd.py`'s menu journey (dial, 1 Airtime, 1 My number, 500, 00), no think
  time, `--chats` handsets;
- telegram menu: `--chats` linked chats, each tapping the same journey back to back: `/menu`
  (a new menu message), tap Airtime, tap My number (each edits the menu in place), type 500 (a
  new message, the old one loses its buttons), tap Menu; every reply checked;
- telegram paced (once, at the end): the same with 0.5-1.5 s of think time per update, as people
  tap: the latency a chat sees, not the queue at saturation;
- receipts: `--receipts` chat receipts (`texts.telegram`, one per chat) queued at once, pushed by
  one worker's lane until every one is `sent`: first as production runs it (PTB's
  `AIORateLimiter`, Telegram's 30 messages a second per bot), then without a limiter (what the
  lane itself could push). Each chat must have got its receipt exactly once.

Latency is measured twice per update: until the webhook answered (the gateway answers after the
update is handled) and until the bot's reply (the edit or the new message) reached the fake.
The database is a fresh `gw_bench_<uuid>` on PAYLINK_TEST_DATABASE_URL, dropped afterwards;
Redis keys live under a unique prefix, deleted afterwards. `--append` adds the section to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import ussd
from aiohttp import web
from harness import bench_database, cpu_seconds, free_port, machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from tests.fixtures.fake_bot_api import TOKEN, FakeBotApi, Message, User  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SECRET = "bench-telegram-webhook-0123456789"  # noqa: S105 - the bench's own
FIRST_CHAT = 7_000_001  # a private chat's id is its user's
# the journey: (what the user does, the argument, how the bot's reply must start)
JOURNEY = (
    ("command", "/menu", "PayLink"),
    ("tap", "Airtime", "Buy airtime for:"),
    ("tap", "My number", "MTN airtime for 0803"),
    ("say", "500", "MTN airtime ₦500.00"),
    ("tap", "Menu", "PayLink"),
)
Result = dict[str, Any]


class TimedFake(FakeBotApi):
    """The fake Bot API, noting when the bot's latest reply to each chat reached it, and the
    bot's newest message in each chat (the fake's own look-ups scan every chat's messages)."""

    def __init__(self) -> None:
        super().__init__()
        self.reached: dict[int, float] = {}
        self.newest: dict[int, Message] = {}

    def _stamp(self, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int):
            self.reached[chat_id] = asyncio.get_running_loop().time()

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        result = await super()._m_sendMessage(params)
        chat_id = result["chat"]["id"]
        self.newest[chat_id] = self.messages[(chat_id, result["message_id"])]
        self._stamp(params)
        return result

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        result = await super()._m_editMessageText(params)
        self._stamp(params)
        return result


# -- the chats (in this process, beside the fake) -------------------------------------------------


def _update(api: TimedFake, user: User, kind: str, arg: str) -> dict[str, Any]:
    """The update for what the user does; LookupError when the chat shows no such button."""
    if kind == "command":
        return api.command(user, arg)
    if kind == "say":
        return api.text(user, arg)
    menu = api.newest.get(user.id)  # in this journey the newest message carries the buttons
    if menu is None or arg not in {button["text"] for button in menu.buttons}:
        raise LookupError(f"no button {arg!r}")
    return api.tap(user, menu, arg)


async def _chat(
    api: TimedFake,
    user: User,
    window: tuple[float, float],
    think_s: float,
    samples: list[tuple[int, float, float]],
    errors: list[str],
) -> None:
    """Journeys back to back until the window closes; updates sent inside it are recorded:
    (step, seconds until the webhook answered, seconds until the reply reached the fake)."""
    loop = asyncio.get_running_loop()
    if think_s:  # paced chats start spread over a journey's length, as people do
        await asyncio.sleep(random.uniform(0, think_s * len(JOURNEY)))
    while loop.time() < window[1]:
        for index, (kind, arg, expect) in enumerate(JOURNEY):
            if think_s:
                await asyncio.sleep(think_s * random.uniform(0.5, 1.5))
            try:
                update = _update(api, user, kind, arg)
            except LookupError as exc:
                errors.append(str(exc))
                break
            sent = loop.time()
            status = await api.deliver(update)
            answered = loop.time() - sent
            reached = api.reached.get(user.id, 0.0) - sent
            shown = api.newest[user.id].visible
            if window[0] <= sent < window[1]:
                samples.append((index, answered, reached))
                if status != 200 or reached < 0 or not shown.startswith(expect):
                    errors.append(f"{status} {arg}: {shown[:40]!r}")
            if not shown.startswith(expect):
                break  # start the journey again from /menu


async def telegram_phase(
    api: TimedFake, users: list[User], seconds: float, warmup: float, think_s: float, pid: int
) -> Result:
    """One round of the chats against the gateway; its samples and CPU."""
    api.calls.clear()  # the fake's record of calls would only grow
    now = asyncio.get_running_loop().time()
    window = (now + warmup, now + warmup + seconds)
    samples: list[tuple[int, float, float]] = []
    errors: list[str] = []
    before, own = cpu_seconds(pid), resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(_chat(api, u, window, think_s, samples, errors) for u in users))
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "samples": samples,
        "wall": seconds,
        "server_cpu": cpu_seconds(pid) - before,
        "self_cpu": after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime,
        "warmup_share": warmup / seconds,
        "error_count": len(errors),
        "errors": errors[:5],
    }


def merged(runs: list[Result]) -> Result:
    return {
        "samples": [s for run in runs for s in run["samples"]],
        "wall": sum(run["wall"] for run in runs),
        "server_cpu": sum(run["server_cpu"] for run in runs),
        "self_cpu": sum(run["self_cpu"] for run in runs),
        "warmup_share": runs[0]["warmup_share"],
        "error_count": sum(run["error_count"] for run in runs),
        "errors": [e for run in runs for e in run["errors"]][:5],
        "rates": [len(run["samples"]) / run["wall"] for run in runs],
    }


def _cut(values: list[float]) -> tuple[float, float]:
    cut = statistics.quantiles(values, n=100, method="inclusive")
    return cut[49] * 1000, cut[98] * 1000


# -- the receipts (the pusher is a child process) -------------------------------------------------


def run_push(plan_json: str) -> None:
    """Child: one worker's telegram lane sends every queued receipt; prints seconds and CPU."""
    plan = json.loads(plan_json)
    print(json.dumps(asyncio.run(_push(plan))))


async def _push(plan: dict[str, Any]) -> Result:
    from telegram.ext import AIORateLimiter

    from gateway.channels.telegram_bot import make_bot
    from gateway.channels.telegram_notifier import FLOOD_RETRIES, TelegramNotifier
    from gateway.clock import SystemClock
    from gateway.purchases.service import PurchaseService
    from gateway.settings import Secret, Settings
    from gateway.store.db import create_db_engine, create_sessionmaker
    from gateway.worker.notifier import Notifiers
    from gateway.worker.runner import Worker, WorkerConfig
    from gateway.worker.wakeup import LocalWakeUp

    engine = create_db_engine(plan["db_url"], pool_size=5, max_overflow=0)
    db = create_sessionmaker(engine)
    settings = Settings(telegram_bot_token=Secret(TOKEN), telegram_api_base_url=plan["base_url"])
    limiter = AIORateLimiter(max_retries=FLOOD_RETRIES) if plan["limited"] else None
    notifier = TelegramNotifier(make_bot(settings, rate_limiter=limiter), db, SystemClock())
    worker = Worker(
        PurchaseService(db, SystemClock(), worker_id="bench-telegram"),
        None,  # type: ignore[arg-type] - no purchases in this benchmark
        wakeup=LocalWakeUp(),
        clock=SystemClock(),
        notifiers=Notifiers({"telegram": notifier}),
        config=WorkerConfig(catalogue_refresh_s=None, recheck_interval_s=None),
    )
    try:
        target = await _settled(db) + plan["receipts"]  # earlier batches are all settled
        cpu0 = cpu_seconds(os.getpid())
        started = time.perf_counter()
        worker.start()
        while (done := await _settled(db)) < target:
            if time.perf_counter() - started > plan["limit_s"]:
                raise RuntimeError(f"only {done} of {target} settled")
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds(os.getpid()) - cpu0
        await worker.stop()
        failed = await _settled(db, "failed")
    finally:
        await notifier.aclose()
        await engine.dispose()
    return {"seconds": seconds, "cpu": cpu, "failed": failed}


async def _settled(db: Any, status: str | None = None) -> int:
    from sqlalchemy import func, select

    from gateway.store.tables import outbox_table

    column = outbox_table.c
    wanted = column.status == status if status else column.status.in_(("sent", "failed"))
    async with db() as session:
        query = select(func.count()).where(column.channel == "telegram", wanted)
        return int(await session.scalar(query) or 0)


async def seed_chats(db_url: str, phones: list[str], first_chat: int) -> list[User]:
    """A Telegram link for each phone (its user made if none); the chats' users."""
    from gateway.clock import SystemClock
    from gateway.phones import Msisdn
    from gateway.store import chat_links
    from gateway.store.db import create_db_engine, create_sessionmaker

    engine = create_db_engine(db_url)
    users = [User(first_chat + n, f"Chat{n}") for n in range(len(phones))]
    try:
        async with create_sessionmaker(engine).begin() as session:
            for user, phone in zip(users, phones, strict=True):
                chat = str(user.id)
                now = SystemClock().now()
                await chat_links.link(session, "telegram", chat, chat, Msisdn(phone), now=now)
    finally:
        await engine.dispose()
    return users


async def queue_receipts(db_url: str, users: list[User], phones: list[str], batch: str) -> None:
    """One chat receipt per user (linked to its chat, made if none), queued at once as
    settlement queues them."""
    from gateway.clock import SystemClock
    from gateway.domain.purchase_status import PurchaseStatus
    from gateway.phones import Msisdn
    from gateway.store import chat_links, outbox
    from gateway.store.db import create_db_engine, create_sessionmaker
    from gateway.texts.facts import ReceiptFacts
    from gateway.texts.telegram import receipt

    engine = create_db_engine(db_url)
    try:
        db = create_sessionmaker(engine)
        async with db.begin() as session:
            messages = []
            for n, (user, phone) in enumerate(zip(users, phones, strict=True)):
                linked, _, _ = await chat_links.link(
                    session, "telegram", str(user.id), str(user.id), Msisdn(phone),
                    now=SystemClock().now(),
                )  # fmt: skip
                facts = ReceiptFacts(
                    reference=f"PL-{batch}{n:06d}",
                    product="IKEDC Prepaid",
                    face=100_000,
                    fee=10_000,
                    total=110_000,
                    status=PurchaseStatus.DELIVERED,
                    recipient="meter 1111111111111",
                    customer_name="ADEBAYO OLUWASEUN",
                    token=f"{n:020d}",
                    units="79.9 kWh",
                )
                body = receipt(facts).body
                messages.append(
                    outbox.NewMessage(phone, body, channel="telegram", user_id=linked.id)
                )
            await outbox.enqueue_many(session, messages, at=SystemClock().now())
    finally:
        await engine.dispose()


async def receipts_phase(
    api: TimedFake, db_url: str, users: list[User], phones: list[str], *, limited: bool
) -> Result:
    """Queue one receipt per chat, push them from a child worker; check each came once."""
    batch = "L" if limited else "U"
    await queue_receipts(db_url, users, phones, batch)
    api.calls.clear()
    for user in users:
        api.private.add(user.id)  # each has talked to the bot
    plan = {
        "db_url": db_url,
        "base_url": api.base_url,
        "receipts": len(users),
        "limited": limited,
        "limit_s": 600,
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--push",
        json.dumps(plan),
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"the pusher exited with {child.returncode}")
    result = dict(json.loads(out))
    pushed: dict[int, int] = {}
    for call in api.calls:
        text = call.params.get("text", "")
        if call.method == "sendMessage" and f"PL-{batch}" in text:
            pushed[call.params["chat_id"]] = pushed.get(call.params["chat_id"], 0) + 1
    result["receipts"] = len(users)
    result["once_each"] = (
        len(pushed) == len(users) and set(pushed.values()) == {1} and not result["failed"]
    )
    return result


# -- orchestration -------------------------------------------------------------------------------


@asynccontextmanager
async def fake_bot_api() -> AsyncIterator[TimedFake]:
    api = TimedFake()
    runner = web.AppRunner(api.app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    api.root = f"http://127.0.0.1:{port}"
    try:
        yield api
    finally:
        await api.close()
        await runner.cleanup()


@asynccontextmanager
async def gateway(env: dict[str, str], port: int) -> AsyncIterator[int]:
    """`paylink serve` until the bot has started (it asks the fake for getMe first); its pid."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway",
        "serve",
        "--port",
        str(port),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(timeout=1) as http:
            while True:
                if process.returncode is not None:
                    raise RuntimeError(f"the gateway exited with {process.returncode}")
                try:  # 503 until the bot has started; then 200 (a body without an update)
                    answer = await http.post(
                        f"http://127.0.0.1:{port}/telegram/webhook",
                        content=b"{}",
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    )
                    if answer.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the gateway never became ready")
                await asyncio.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        await process.wait()


async def orchestrate(args: argparse.Namespace) -> str:
    phones = [f"+234803{n:07d}" for n in range(3_000_001, 3_000_001 + args.chats)]
    receipt_phones = [f"+234806{n:07d}" for n in range(1, 1 + args.receipts)]
    runs: dict[str, list[Result]] = {"ussd": [], "telegram": []}
    with bench_database() as db_url, ussd.redis_prefix() as prefix:
        await ussd.seed(db_url, phones)
        users = await seed_chats(db_url, phones, FIRST_CHAT)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PAYLINK_", "VTPASS_", "TELEGRAM_"))
        }
        port = free_port()
        async with fake_bot_api() as api:
            gateway_env = env | {
                "PYTHONPATH": str(ROOT),
                "PAYLINK_DATABASE_URL": db_url,
                "PAYLINK_REDIS_URL": ussd.REDIS_URL,
                "PAYLINK_REDIS_PREFIX": prefix,
                "PAYLINK_JWT_SECRET": ussd.JWT_SECRET,
                "PAYLINK_LOG_LEVEL": "WARNING",
                "PAYLINK_AT_CALLBACK_OPEN": "true",
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_API_BASE_URL": api.base_url,
            }
            api.webhook = {
                "url": f"http://127.0.0.1:{port}/telegram/webhook",
                "secret_token": SECRET,
            }
            timing = {"seconds": args.seconds, "warmup": args.warmup}
            url = f"http://127.0.0.1:{port}/ussd/africastalking"
            handsets = ussd.Plan(url, phones, journey=ussd.MENU, strict=True, **timing)
            async with gateway(gateway_env, port) as pid:
                for _ in range(args.rounds):
                    runs["ussd"].append(await asyncio.to_thread(ussd.measure, handsets, pid))
                    runs["telegram"].append(
                        await telegram_phase(api, users, args.seconds, args.warmup, 0.0, pid)
                    )
                paced = await telegram_phase(api, users, args.seconds, args.warmup, 1.0, pid)
            receipt_users = [User(FIRST_CHAT + 100_000 + n) for n in range(args.receipts)]
            limited = await receipts_phase(api, db_url, receipt_users, receipt_phones, limited=True)
            free = await receipts_phase(api, db_url, receipt_users, receipt_phones, limited=False)
    return report(args, ussd.merge(runs["ussd"]), merged(runs["telegram"]), paced, limited, free)


def report(
    args: argparse.Namespace,
    hops: Result,
    taps: Result,
    paced: Result,
    limited: Result,
    free: Result,
) -> str:
    base = ussd.summary(hops)

    def row(name: str, run: Result, versus: bool) -> str:
        answered = _cut([s[1] for s in run["samples"]])
        reached = _cut([s[2] for s in run["samples"]])
        count = len(run["samples"])
        rate = count / run["wall"]
        cpu = run["server_cpu"] / (count * (1 + run["warmup_share"])) * 1000
        ratio = f"{rate / base['per_s']:.2f}x" if versus else "-"
        return (
            f"| {name} | {count:,} | {rate:,.0f} | {ratio} | {answered[0]:.1f} / {answered[1]:.1f}"
            f" ms | {reached[0]:.1f} / {reached[1]:.1f} ms | {cpu:.2f} ms |"
        )

    ussd_cpu = hops["server_cpu"] / (len(hops["samples"]) * (1 + hops["warmup_share"])) * 1000
    by_round = ", ".join(f"{t / u:.2f}x" for t, u in zip(taps["rates"], hops["rates"], strict=True))
    steps = "; ".join(
        f"{JOURNEY[i][1]} p50 {_cut([s[1] for s in taps['samples'] if s[0] == i])[0]:.1f} / p99 "
        f"{_cut([s[1] for s in taps['samples'] if s[0] == i])[1]:.1f} ms"
        for i in range(len(JOURNEY))
    )

    def push_row(name: str, run: Result) -> str:
        per_s = run["receipts"] / run["seconds"]
        once = "yes" if run["once_each"] else "NO"
        return (
            f"| {name} | {run['receipts']:,} | {run['seconds']:.1f} | {per_s:,.0f}"
            f" | {run['cpu'] / run['receipts'] * 1000:.2f} ms | {once} |"
        )

    command = (
        f"bench/telegram_chats.py --chats {args.chats} --seconds {args.seconds:g} --warmup "
        f"{args.warmup:g} --rounds {args.rounds} --receipts {args.receipts}"
    )
    lines = [
        "",
        "## Telegram (issue 16): updates through the webhook, receipts from one worker",
        "",
        f"`{command}`, {time.strftime('%Y-%m-%d')}; {machine()}. Separate processes: one gateway "
        "(`paylink serve`, Postgres + Redis, its python-telegram-bot pointed at the fake); this "
        "one, the fake Bot API (answering at once) and the chats, each update POSTed to "
        "`/telegram/webhook` with the secret; `bench/ussd.py`'s load generator for the USSD "
        f"menu journey on the same gateway; the pusher (one worker's telegram lane). {args.chats}"
        " chats and as many handsets, no think time, alternated for "
        f"{args.rounds} rounds of {args.seconds:g} s (each after a {args.warmup:g} s warm-up), "
        "pooled; then one paced round (0.5-1.5 s per update). Telegram journey: /menu, tap "
        "Airtime, tap My number (edits in place), type 500 (a new message), tap Menu; USSD: "
        "dial, 1, 1, 500, 00. Latency p50 / p99 until the webhook answered and until the "
        "bot's reply reached the fake.",
        "",
        "| what | updates | updates/s | vs. USSD | webhook answered | reply at the fake"
        " | gateway CPU / update |",
        "|---|---|---|---|---|---|---|",
        f"| USSD menu journey, no think time | {base['hops']:,.0f} | {base['per_s']:,.0f} | -"
        f" | {base['p50_ms']:.1f} / {base['p99_ms']:.1f} ms | - | {ussd_cpu:.2f} ms |",
        row("Telegram menu journey, no think time", taps, True),
        row("Telegram menu journey, 0.5-1.5 s think time", paced, False),
        "",
        "| receipts pushed by one worker | receipts | seconds | receipts/s | worker CPU / receipt"
        " | each chat got one |",
        "|---|---|---|---|---|---|",
        push_row("as production runs it (AIORateLimiter, 30/s per bot)", limited),
        push_row("no rate limiter", free),
        "",
        f"Telegram vs. USSD by round: {by_round}. Telegram by step (no think time): {steps}. "
        f"Errors: USSD {hops['error_count']}, Telegram {taps['error_count']} "
        f"{taps['errors']}, paced {paced['error_count']}. This process (fake + chats) used "
        f"{taps['self_cpu'] / max(1, len(taps['samples'])) * 1000:.2f} ms CPU per update.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2, help="USSD/Telegram cycles")
    parser.add_argument("--receipts", type=int, default=600, help="chats, one receipt each")
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--push", help=argparse.SUPPRESS)  # child: one worker's telegram lane
    args = parser.parse_args()
    if args.push:
        run_push(args.push)
        return
    section = asyncio.run(orchestrate(args))
    print(section)
    if args.append:
        with RESULTS.open("a") as results:
            results.write(section)


if __name__ == "__main__":
    main()
