"""Spec §J as properties: whatever mix of purchases, settlements and reversals happens, the
wallet equals the start minus every transaction that still holds money, and request ids stay
unique. Drives the state directly (no HTTP) so Hypothesis can run many sequences."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.clock import FixedClock
from gateway.vtpass.simulator import SimulatorConfig, SimulatorState
from gateway.vtpass.simulator.pay import Rejected, check_pay
from gateway.vtpass.simulator.transactions import Status
from tests.fixtures.simulator import SIM_ACCOUNT

PHONES = ["08011111111", "201000000000", "500000000000", "400000000000", "300000000000",
          "08031234567"]  # fmt: skip
operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.sampled_from(PHONES), st.integers(50, 5000)),
        st.tuples(st.just("resolve"), st.integers(0, 30), st.sampled_from(list(Status))),
        st.tuples(st.just("reverse"), st.integers(0, 30), st.none()),
        st.tuples(st.just("reuse"), st.integers(0, 30), st.none()),
    ),
    max_size=40,
)


def fresh_state() -> SimulatorState:
    config = SimulatorConfig(
        accounts=(replace(SIM_ACCOUNT, wallet_balance=Decimal(50000)),),
        clock=FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),
        pending_resolve_after_s=None,  # no timers: settlement only through the operations
    )
    return SimulatorState(config)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_wallet_always_matches_the_money_held_by_transactions(ops):
    state = fresh_state()
    account = state.accounts.default
    ids: list[str] = []
    for n, (op, arg, extra) in enumerate(ops):
        if op == "pay":
            request_id = f"202611271100op{n:04d}"
            body = {"request_id": request_id, "serviceID": "mtn", "amount": extra, "phone": arg}
            quote = check_pay(state, account, body)
            if not isinstance(quote, Rejected):
                state.record(quote, account, origin="http://sim")
                ids.append(request_id)
        elif op == "reuse" and ids:
            request_id = ids[arg % len(ids)]
            before = state.transactions[request_id].status
            body = {"request_id": request_id, "serviceID": "mtn", "amount": 100, "phone": "0801"}
            assert check_pay(state, account, body) == Rejected(
                {"code": "014", "response_description": "REQUEST ID ALREADY EXIST",
                 "content": {"errors": []}}
            )  # fmt: skip
            assert state.transactions[request_id].status == before
        elif op == "resolve" and ids:
            state.settle(state.transactions[ids[arg % len(ids)]], extra)
        elif op == "reverse" and ids:
            state.reverse(state.transactions[ids[arg % len(ids)]])
        held = sum(
            (t.total_amount for t in state.transactions.values() if t.status.charges_wallet),
            Decimal(0),
        )
        assert account.balance == Decimal(50000) - held
        assert account.balance >= 0
