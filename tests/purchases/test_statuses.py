"""The pure state machine: which answer does what in which status, and the requery backoff."""

from __future__ import annotations

import pytest

from gateway.domain.purchase_status import PurchaseStatus, can_transition
from gateway.purchases.statuses import Action, plan_settlement, requery_delay_s, target_status
from gateway.vtpass.models import Outcome

S, OC = PurchaseStatus, Outcome


@pytest.mark.parametrize(
    ("status", "outcome", "action"),
    [
        (S.INITIATED, OC.DELIVERED, Action.DELIVER),
        (S.PENDING, OC.DELIVERED, Action.DELIVER),
        (S.PENDING, OC.FAILED, Action.REFUND),
        (S.PENDING, OC.REJECTED, Action.REFUND),
        (S.PENDING, OC.REVERSED, Action.REFUND),  # never delivered: money still in clearing
        (S.PENDING, OC.PENDING, Action.WAIT),
        (S.PENDING, OC.NOT_FOUND, Action.UNSENT),
        (S.INITIATED, OC.NOT_FOUND, Action.NOTHING),
        (S.DELIVERED, OC.REVERSED, Action.REVERSE),
        (S.DELIVERED, OC.DELIVERED, Action.NOTHING),
        (S.DELIVERED, OC.FAILED, Action.NOTHING),  # a stale answer never undoes a delivery
        (S.FAILED, OC.DELIVERED, Action.NOTHING),
        (S.REVERSED, OC.REVERSED, Action.NOTHING),
    ],
)
def test_plan_settlement(status, outcome, action):
    assert plan_settlement(status, outcome) is action


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("outcome", list(OC))
def test_every_planned_action_is_an_allowed_transition(status, outcome):
    target = target_status(plan_settlement(status, outcome))
    assert target is None or target is status or can_transition(status, target)


def test_settled_statuses_are_final_except_a_reversal_of_a_delivery():
    assert not can_transition(S.FAILED, S.DELIVERED)
    assert not can_transition(S.REVERSED, S.DELIVERED)
    assert can_transition(S.DELIVERED, S.REVERSED)
    assert not can_transition(S.DELIVERED, S.FAILED)


def test_requery_delay_doubles_from_30_seconds_and_caps_at_an_hour():
    assert [requery_delay_s(n) for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert requery_delay_s(10_000) == 3600
