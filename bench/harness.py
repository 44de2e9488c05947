"""What the benchmarks share: a throwaway database, a free port, CPU readings, the machine.

Imported by the scripts in this folder (run as `python bench/<name>.py`, so this folder is on
`sys.path`). Heavy imports stay inside the functions: the USSD benchmark's floor and load
processes import this module too and should not pay for SQLAlchemy.
"""

from __future__ import annotations

import glob
import os
import platform
import re
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def ussd_form(session_id: str, phone: str, typed: list[str]) -> dict[str, str]:
    """One hop as Africa's Talking posts it: the whole `*`-joined input so far."""
    return {
        "sessionId": session_id,
        "serviceCode": "*347*88#",
        "phoneNumber": phone,
        "networkCode": "62130",
        "text": "*".join(typed),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def bench_database() -> Iterator[str]:
    """A fresh, migrated `gw_bench_<uuid>` on PAYLINK_TEST_DATABASE_URL, dropped afterwards."""
    from sqlalchemy import create_engine, pool
    from sqlalchemy.engine import make_url

    from gateway.store.migrate import upgrade

    admin_url = os.environ.get("PAYLINK_TEST_DATABASE_URL", "").strip() or ADMIN_URL
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    name = f"gw_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux `/proc/<pid>/stat`)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes() -> Iterator[tuple[str, list[str]]]:
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    head, _, rest = stat.read().rpartition(")")
                yield head.split("(", 1)[1], rest.split()
            except (OSError, IndexError):
                continue  # gone meanwhile


def service_cpu() -> dict[str, float]:
    """CPU seconds used so far by Postgres (every backend, live or reaped by the postmaster:
    connections opened and closed mid-run count too) and by Redis, on this box."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"postgres": 0.0, "redis": 0.0}
    for name, fields in _processes():
        own = int(fields[11]) + int(fields[12])
        if name == "postgres":
            reaped = int(fields[13]) + int(fields[14])  # children the postmaster waited for
            used["postgres"] += (own + (reaped if fields[1] == "1" else 0)) / tick
        elif name == "redis-server":
            used["redis"] += own / tick
    return used


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = (line.split(":", 1)[1] for line in cpuinfo if line.startswith("model name"))
            model = next(names, model).strip()
    except OSError:
        pass
    return f"nproc {os.cpu_count()}, {model}, CPython {platform.python_version()}"


# -- callgrind (the *_instructions.py counters) ------------------------------------------------


def callgrind(out: str) -> list[str]:
    """The command prefix that runs a process under callgrind with counting off until
    `callgrind_control("--instr=on", pid)`; its dumps go to `<out>.<pid>*`."""
    return ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}.%p"]


def callgrind_control(option: str, pid: int) -> None:
    subprocess.run(  # noqa: S603 - valgrind's own tool, from PATH
        ["callgrind_control", option, str(pid)],  # noqa: S607
        check=True,
        capture_output=True,
    )


def callgrind_total(out: str, pid: int) -> int:
    """Instructions in the dumps named `measured` (`callgrind_control("--dump=measured")`) of
    process `pid`; every dump file is removed."""
    total = 0
    for name in glob.glob(f"{out}.{pid}*"):
        with open(name, errors="replace") as dump:
            text = dump.read()
        if "measured" in text[:2000]:
            found = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
            total += int(found.group(1)) if found else 0
        os.remove(name)
    return total
