"""`.env.example` and the README's configuration table name every variable the gateway reads.

Why: an operator fills in `.env` from the example; a setting added to the code and not to the
example is one nobody knows to set. The names are read from the code itself (every string
constant shaped like a variable name in the settings modules), so neither list can drift.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULES = ("settings.py", "funding_settings.py", "metrics.py")
VARIABLE = re.compile(r"(PAYLINK|VTPASS|AT|TELEGRAM|PAYSTACK|PROMETHEUS)_[A-Z0-9_]+")
# `NAME=value`, or commented out as `# NAME=default` (optional, default shown)
EXAMPLE_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def variables_the_code_reads() -> set[str]:
    names: set[str] = set()
    for module in SETTINGS_MODULES:
        tree = ast.parse((ROOT / "gateway" / module).read_text())
        names |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and VARIABLE.fullmatch(node.value)
        }
    return names


def listed_in_example() -> set[str]:
    return set(EXAMPLE_LINE.findall((ROOT / ".env.example").read_text()))


def test_the_code_reads_the_settings_this_test_knows_of():
    names = variables_the_code_reads()
    # the scan itself works: a few it must find, in each module
    assert {"PAYLINK_DATABASE_URL", "PAYSTACK_SECRET_KEY", "PROMETHEUS_MULTIPROC_DIR"} <= names
    assert len(names) > 50


def test_env_example_lists_every_variable_the_gateway_reads():
    missing = variables_the_code_reads() - listed_in_example()
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_env_example_lists_nothing_the_gateway_does_not_read():
    compose_only = {
        "POSTGRES_PASSWORD",
        "PAYLINK_ENV_FILE",
        "PAYLINK_IMAGE_TAG",
        "PAYLINK_GATEWAY_REPLICAS",
        "PAYLINK_WORKER_REPLICAS",
        "PAYLINK_HTTP_PORT",
    }
    unknown = listed_in_example() - variables_the_code_reads() - compose_only
    assert not unknown, f".env.example names variables nothing reads: {sorted(unknown)}"


def test_env_example_holds_no_secret_values():
    secret_names = re.compile(r"SECRET|_KEY$|TOKEN|PEPPER|PASSWORD")
    filled = {
        name: value
        for name, value in re.findall(
            r"^([A-Z][A-Z0-9_]*)=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE
        )
        if secret_names.search(name) and value.strip()
    }
    assert filled == {}


def test_the_readme_documents_every_variable_the_gateway_reads():
    readme = (ROOT / "README.md").read_text()
    missing = {name for name in variables_the_code_reads() if f"`{name}`" not in readme}
    assert not missing, f"README.md does not document {sorted(missing)}"
