"""REST API costs: p99 of `GET /api/v1/transactions` with 10,000 purchases in the user's history,
and what a login costs (the argon2id hash time and the whole endpoint).

Run by hand (not in CI), with Postgres and Redis on loopback:

    .venv/bin/python bench/api.py [--rows 10000] [--requests 1000] [--append]

The gateway runs in this process on a loopback socket (Postgres + Redis, as in production);
requests go over real HTTP one at a time, so the numbers are service time, not queueing.
The database is a fresh `gw_test_<uuid>` on PAYLINK_TEST_DATABASE_URL, dropped afterwards;
`--append` adds the section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import redis.asyncio as aioredis
from aiohttp import web
from sqlalchemy import insert, select

from gateway.app import create_app
from gateway.keys import db_key
from gateway.security import passwords
from gateway.settings import Settings
from gateway.store.tables import Account, Outbox, User, purchases_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from tests.fixtures.database import temporary_pg_database

REDIS_URL = os.environ.get("PAYLINK_TEST_REDIS_URL", "") or "redis://127.0.0.1:6379/0"
PHONE, PASSWORD = "+2348031234567", "bench password 1"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": cut[49], "p95": cut[94], "p99": cut[98], "max": ordered[-1]}


def ms(values: dict[str, float]) -> str:
    return ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in values.items())


async def sign_up(http: httpx.AsyncClient, app: web.Application) -> None:
    body = {"phone": PHONE, "password": PASSWORD, "name": "Bench"}
    (await http.post("/api/v1/auth/register", json=body)).raise_for_status()
    async with app[db_key]() as session:
        text = await session.scalar(select(Outbox.body).order_by(Outbox.id.desc()).limit(1))
    code = re.search(r"\b(\d{6})\b", text or "")
    assert code is not None
    verify = {"phone": PHONE, "code": code.group(1)}
    (await http.post("/api/v1/auth/verify-phone", json=verify)).raise_for_status()


async def seed(app: web.Application, rows: int) -> None:
    """`rows` purchases for the user, spread over a year, in a few statuses and services."""
    async with app[db_key].begin() as session:
        user_id = await session.scalar(select(User.id).where(User.phone == PHONE))
        account_id = await session.scalar(select(Account.id).where(Account.user_id == user_id))
        start = datetime.now(UTC) - timedelta(days=365)
        services = [
            ("airtime", "mtn"),
            ("data", "mtn-data"),
            ("electricity-bill", "ikeja-electric"),
        ]
        statuses = ["delivered"] * 8 + ["failed", "pending"]
        batch = []
        for n in range(rows):
            category, service_id = services[n % len(services)]
            face = (n % 50 + 1) * 100_00
            at = start + timedelta(minutes=n * 52)
            batch.append(
                {
                    "user_id": user_id,
                    "account_id": account_id,
                    "channel": "api",
                    "category": category,
                    "service_id": service_id,
                    "product": service_id,
                    "customer_ref": "1111111111111" if category == "electricity-bill" else None,
                    "phone": PHONE,
                    "quantity": 1,
                    "face_amount": face,
                    "fee": 0,
                    "discount": 0,
                    "total": face,
                    "status": statuses[n % len(statuses)],
                    "request_id": f"bench{n:012d}{uuid.uuid4().hex[:8]}",
                    "idempotency_key": f"bench-{n}",
                    "request_hash": "0" * 64,
                    "created_at": at,
                    "updated_at": at,
                }
            )
        await session.execute(insert(purchases_table), batch)


async def time_requests(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], count: int
) -> dict[str, float]:
    for _ in range(20):  # warm the pool and the caches
        (await http.get(url, headers=headers)).raise_for_status()
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        response = await http.get(url, headers=headers)
        samples.append(time.perf_counter() - began)
        response.raise_for_status()
    return quantiles(samples)


async def run(rows: int, requests: int, db_url: str) -> str:
    prefix = f"paylink-bench:{uuid.uuid4().hex[:8]}:"
    settings = Settings.from_env(
        {
            "PAYLINK_DATABASE_URL": db_url,
            "PAYLINK_REDIS_URL": REDIS_URL,
            "PAYLINK_REDIS_PREFIX": prefix,
            "PAYLINK_JWT_SECRET": "bench-secret-" + "b" * 40,
            "PAYLINK_LOGIN_LIMIT_PER_ACCOUNT": "1000000",
            "PAYLINK_LOGIN_LIMIT_PER_IP": "1000000",
            "PAYLINK_LOG_LEVEL": "WARNING",
        }
    )
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    lines: list[str] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await sign_up(http, runner.app)
            await seed(runner.app, rows)
            login = {"phone": PHONE, "password": PASSWORD}
            token = (await http.post("/api/v1/auth/login", json=login)).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            base = "/api/v1/transactions"
            cases = {
                "default (newest first, 20 a page)": base,
                "page_size=100&ordering=-amount": f"{base}?page_size=100&ordering=-amount",
                "status=delivered&category=data&page=20": (
                    f"{base}?status=delivered&category=data&page=20"
                ),
                "page=500 (deep offset)": f"{base}?page=500",
            }
            for label, url in cases.items():
                timed = await time_requests(http, url, auth, requests)
                lines.append(f"| `GET /api/v1/transactions` {label} | {ms(timed)} |")
            hashes = []
            stored = passwords.hash_secret_sync(PASSWORD)
            for _ in range(100):
                began = time.perf_counter()
                passwords.verify_secret_sync(stored, PASSWORD)
                hashes.append(time.perf_counter() - began)
            params = (
                f"m={passwords.MEMORY_COST_KIB} KiB, t={passwords.TIME_COST}, "
                f"p={passwords.PARALLELISM}"
            )
            lines.append(f"| argon2id verify ({params}) | {ms(quantiles(hashes))} |")
            logins = []
            for _ in range(100):
                began = time.perf_counter()
                (await http.post("/api/v1/auth/login", json=login)).raise_for_status()
                logins.append(time.perf_counter() - began)
            lines.append(f"| `POST /api/v1/auth/login` (whole request) | {ms(quantiles(logins))} |")
    finally:
        await runner.cleanup()
        client = aioredis.Redis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    head = [
        "",
        "## REST API (issue 5): transactions list and login cost",
        "",
        f"`bench/api.py --rows {rows} --requests {requests}`, {datetime.now(UTC):%Y-%m-%d}, "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores; "
        "gateway on Postgres + Redis in-process, requests one at a time over loopback HTTP "
        f"(service time), {rows:,} purchases in the user's history.",
        "",
        "| what | latency |",
        "|---|---|",
    ]
    return "\n".join([*head, *lines, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    with temporary_pg_database() as url:
        section = asyncio.run(run(args.rows, args.requests, url))
    print(section)
    if args.append:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(section)


if __name__ == "__main__":
    main()
