"""Conversation <-> JSON-ready dict, with a schema version, for the session store.

Why here: the shape of the state belongs to the engine; the store (Redis or in-process) only
saves `dumps(conv)` under its key and TTL. `loads` refuses anything it did not write
(`ValueError`), which the store treats as "no session".
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from gateway.flows.memo import Memo, compute
from gateway.flows.model import Caller, Conversation, FlowName, Frame, Order

SCHEMA_VERSION = 1


def to_dict(conv: Conversation, memo: Memo = compute) -> dict[str, object]:
    """`memo`: the shell's cache for the caller's orders, the same in every save of a line."""
    caller = conv.caller
    return {
        "v": SCHEMA_VERSION,
        "flow": conv.flow.value,
        "step": conv.step,
        "data": dict(conv.data),
        "intent_id": conv.intent_id,
        "rev": conv.rev,
        "minted": conv.minted,
        "stack": [
            {"flow": f.flow.value, "step": f.step, "data": dict(f.data), "intent_id": f.intent_id}
            for f in conv.stack
        ],
        "caller": _caller_dict(caller, memo),
    }


def _caller_dict(caller: Caller, memo: Memo) -> dict[str, object]:
    # every save encodes the caller again, and rebuilding the orders each time cost a fifth
    # of a menu hop for callers with purchase history: their JSON form is kept per orders
    orders = caller.recent
    return {
        "phone": caller.phone,
        "seed": caller.seed,
        "has_pin": caller.has_pin,
        "recent": memo(("recent-fields", orders), lambda: _recent_fields(orders)),
    }


def _recent_fields(orders: tuple[Order, ...]) -> list[dict[str, str]]:
    return [order.to_fields() for order in orders]


def dumps(conv: Conversation) -> str:
    return json.dumps(to_dict(conv), separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Conversation:
    """Raises `ValueError` for anything that is not a conversation of this schema version."""
    return from_dict(json.loads(text))


def _map(value: object, name: str) -> Mapping[str, object]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{name} is not an object")
    return value


def _str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a string")
    return value


def _opt_str(value: object, name: str) -> str | None:
    return None if value is None else _str(value, name)


def _int(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} is not an integer")
    return value


def _strings(value: object, name: str) -> dict[str, str]:
    return {k: _str(v, f"{name}.{k}") for k, v in _map(value, name).items()}


def _list(value: object, name: str) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"{name} is not a list")
    return value


def from_dict(raw: object) -> Conversation:
    """Raises `ValueError` for anything that is not a conversation of this schema version."""
    top = _map(raw, "conversation")
    if top.get("v") != SCHEMA_VERSION:
        raise ValueError(f"unknown conversation schema {top.get('v')!r}")
    caller = _map(top.get("caller"), "caller")
    recent = []
    for i, item in enumerate(_list(caller.get("recent", []), "caller.recent")):
        order = Order.from_fields(_strings(item, f"caller.recent.{i}"))
        if order is None:
            raise ValueError(f"caller.recent.{i} is not an order")
        recent.append(order)
    has_pin = caller.get("has_pin")
    if not isinstance(has_pin, bool):
        raise ValueError("caller.has_pin is not a boolean")
    stack = []
    for i, item in enumerate(_list(top.get("stack", []), "stack")):
        frame = _map(item, f"stack.{i}")
        stack.append(
            Frame(
                flow=FlowName(_str(frame.get("flow"), "flow")),
                step=_str(frame.get("step"), "step"),
                data=_strings(frame.get("data"), f"stack.{i}.data"),
                intent_id=_opt_str(frame.get("intent_id"), "intent_id"),
            )
        )
    return Conversation(
        flow=FlowName(_str(top.get("flow"), "flow")),
        step=_str(top.get("step"), "step"),
        caller=Caller(
            phone=_str(caller.get("phone"), "caller.phone"),
            seed=_str(caller.get("seed"), "caller.seed"),
            has_pin=has_pin,
            recent=tuple(recent),
        ),
        data=_strings(top.get("data"), "data"),
        intent_id=_opt_str(top.get("intent_id"), "intent_id"),
        rev=_int(top.get("rev", 0), "rev"),
        stack=tuple(stack),
        minted=_int(top.get("minted", 0), "minted"),
    )
