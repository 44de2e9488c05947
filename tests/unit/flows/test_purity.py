"""The flows stay a pure core: no I/O libraries, no `Any`, the same answer for the same hop."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import gateway.flows
from tests.unit.flows.helpers import feed, walk

FLOWS_DIR = Path(gateway.flows.__file__).parent
ALLOWED = (
    "gateway.flows",
    "gateway.money",
    "gateway.pin_policy",
    "gateway.phones",
    "gateway.clock",
    "gateway.errors",
    "gateway.funding",  # the funding hint's default text
    "gateway.gsm7",  # the GSM-7 table screens are sized against
    "gateway.domain.pricing",  # pure arithmetic: confirm screens quote as a submit charges
)
FORBIDDEN = {"aiohttp", "redis", "sqlalchemy", "httpx", "asyncio", "socket", "random", "os"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_flow_module_imports_io_or_any():
    paths = sorted(FLOWS_DIR.glob("*.py"))
    assert len(paths) > 10, "the flow modules were not found"  # an empty loop checks nothing
    for path in paths:
        imported = _imports(path)
        assert not {name.split(".")[0] for name in imported} & FORBIDDEN, path.name
        assert "typing.Any" not in imported, path.name
        ours = {n for n in imported if n.startswith("gateway")}
        assert all(n.startswith(ALLOWED) for n in ours), (path.name, ours)


def test_importing_the_engine_loads_no_io_library():
    code = (
        "import sys, gateway.flows.engine, gateway.flows.codec;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'aiohttp','redis','sqlalchemy','httpx'}); print(bad)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_same_hop_gives_the_same_answer():
    t = walk("3", "1", "1")
    assert feed(t, "1111111111111") == feed(t, "1111111111111")
    confirm = walk("1", "1", "500")
    assert feed(confirm, "1357") == feed(confirm, "1357")
