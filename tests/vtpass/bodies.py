"""Recorded-shape VTPass bodies for the unit tests (tests/vtpass/data/*.json) and small builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


def load(name: str) -> dict[str, Any]:
    """A fresh copy of tests/vtpass/data/<name>.json, safe to mutate."""
    body: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return body


def txn_body(code: str = "000", status: str | None = "delivered", **top: Any) -> dict[str, Any]:
    """A minimal current-format /pay envelope with `content.transactions.status`."""
    body: dict[str, Any] = {
        "code": code,
        "response_description": "X",
        "requestId": "202611271100abc",
    }
    if status is not None:
        body["content"] = {
            "transactions": {"status": status, "type": "Airtime Recharge", "amount": "100"}
        }
    body.update(top)
    return body
