"""The state's JSON form, orders as flat fields, and PINs kept out of logs."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gateway.flows import codec
from gateway.flows.model import (
    ChangePin,
    CheckPin,
    CustomerVerified,
    Order,
    RegisterUser,
    StagePin,
    SubmitPurchase,
    Transition,
)
from tests.unit.flows.helpers import feed, walk

ORDER = Order(
    category="tv-subscription",
    service_id="dstv",
    amount=790000,
    phone="+2348031234567",
    customer_ref="1212121212",
    variation_code="dstv79",
    subscription_type="renew",
    label="DStv Compact",
)


def test_order_fields_round_trip():
    assert Order.from_fields(ORDER.to_fields("o."), "o.") == ORDER
    assert ORDER.to_fields()["amt"] == "790000"
    assert "ref" not in Order("airtime", "mtn", 100, "+2348031234567").to_fields()


@pytest.mark.parametrize(
    "broken",
    [{}, {"amt": "x"}, {"amt": "0"}, {"qty": "0"}, {"svc": ""}],
    ids=["empty", "amount-text", "amount-zero", "quantity-zero", "no-service"],
)
def test_order_from_broken_fields_is_none(broken):
    fields = {**ORDER.to_fields(), **broken} if broken else {}
    assert Order.from_fields(fields) is None


def test_a_deep_conversation_survives_json():
    t = walk(
        "4",
        "1",
        "1212121212",
        CustomerVerified("TEST METER", None, "Compact", "dstv79", 790000),
        "1",
    )
    assert t.state is not None
    text = codec.dumps(t.state)
    assert json.loads(text)["v"] == codec.SCHEMA_VERSION
    assert codec.loads(text) == t.state
    assert codec.loads(text.encode()) == t.state


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"v": 99}',
        '{"v": 1, "flow": "nope"}',
        '{"v": 1, "flow": "main", "step": "menu", "data": {}, "caller": {"phone": "+234",'
        ' "seed": "s", "has_pin": "yes"}}',
        '{"v": 1, "flow": "main", "step": "menu", "data": {"a": 1}, "caller": {"phone": "+234",'
        ' "seed": "s", "has_pin": true}}',
        '{"v": 1, "flow": "main", "step": "menu", "data": {}, "rev": true, "caller": '
        '{"phone": "+234", "seed": "s", "has_pin": true}}',
        '{"v": 1, "flow": "main", "step": "menu", "data": {}, "stack": [1], "caller": '
        '{"phone": "+234", "seed": "s", "has_pin": true}}',
        '{"v": 1, "flow": "main", "step": "menu", "data": {}, "caller": '
        '{"phone": "+234", "seed": "s", "has_pin": true, "recent": [{"svc": "x"}]}}',
    ],
)
def test_loads_refuses_what_it_did_not_write(text):
    with pytest.raises(ValueError):  # noqa: PT011 - every refusal is a ValueError by contract
        codec.loads(text)


def test_pins_never_show_in_repr():
    effects = [
        SubmitPurchase("i", ORDER, "7391"),
        StagePin("7391"),
        RegisterUser("+2348031234567", "7391"),
        CheckPin("7391"),
        ChangePin("7391"),
    ]
    assert all("7391" not in repr(e) for e in effects)


def test_the_engine_keeps_rev_for_the_store():
    t = walk("1")
    assert t.state is not None
    t2 = feed(Transition(replace(t.state, rev=7), t.reply), "1")
    assert t2.state is not None
    assert t2.state.rev == 7


def test_a_callers_orders_are_encoded_as_choices():
    t = walk("1", recent=(ORDER,))
    assert t.state is not None
    moved = replace(t.state, step="elsewhere")  # the next hop: the same orders
    other = replace(t.state, caller=replace(t.state.caller, seed="another-session"))
    changed = replace(t.state, caller=replace(t.state.caller, recent=(replace(ORDER, amount=1),)))

    first = codec.to_dict(t.state)["caller"]

    # a renewal is kept as a choice: no amount travels with "buy again"
    assert first["recent"] == [replace(ORDER, amount=0).to_fields()]
    assert "amt" not in first["recent"][0]
    assert codec.to_dict(moved)["caller"]["recent"] == first["recent"]
    assert codec.to_dict(other)["caller"] == {**first, "seed": "another-session"}
    assert codec.loads(codec.dumps(other)) == other
    assert codec.to_dict(changed)["caller"]["recent"] == [replace(ORDER, amount=1).to_fields()]
