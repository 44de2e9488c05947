"""Sample session records for store tests."""

from __future__ import annotations

from gateway.conversations.record import SessionRecord
from gateway.flows.model import Caller, Conversation, FlowName, Option, Order, Screen

PHONE = "+2348031234567"


def conversation(step: str = "menu", **data: str) -> Conversation:
    recent = (Order("airtime", "mtn", 500_00, PHONE, label="MTN Airtime"),)
    caller = Caller(PHONE, "ATUid_seed", True, recent)
    return Conversation(FlowName.MAIN, step, caller, data=data)


def record(**changes: object) -> SessionRecord:
    values: dict[str, object] = {
        "phone": PHONE,
        "conv": conversation(),
        "consumed": 1,
        "delivery": "ab" * 16,
        "answer": Screen("PayLink", (Option("1", "Airtime"),)),
        "user_id": 7,
        "at": 1_795_000_000.5,
    }
    values.update(changes)
    return SessionRecord(**values)  # type: ignore[arg-type]
