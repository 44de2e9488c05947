"""admit: the pure decision of a submit batch, each order judged as if it were alone.

The database tests (test_batches, test_submit) show the same through Postgres; these pin the
decision itself, which is all a batch of concurrent submits can get wrong about money.
"""

from __future__ import annotations

from gateway.domain.pricing import Quote
from gateway.errors import Forbidden, NotFound
from gateway.money import Kobo
from gateway.purchases.models import DailyLimitExceeded, InsufficientFunds
from gateway.purchases.submit import SubmitItem, admit
from gateway.store.users import LockedWallet
from tests.purchases.conftest import N, airtime

LIMIT = 200_000 * N


def item(user_id: int, key: str, naira: int) -> SubmitItem:
    order = airtime(naira)
    total = Kobo(naira * N)
    priced = Quote(face=total, fee=Kobo(0), discount=Kobo(0), total=total)
    return SubmitItem(user_id, order, "+2348031234567", priced, key, order.request_hash("x"))


def wallet(naira: int, status: str = "active") -> LockedWallet:
    return LockedWallet(account_id=10, balance=naira * N, user_status=status)


def test_two_orders_in_one_batch_cannot_spend_the_same_balance_twice():
    items = [item(1, "a", 700), item(1, "b", 700)]

    admission = admit(items, {1: wallet(1_000)}, set(), {}, LIMIT)

    assert admission.accepted == {(1, "a"): 0}
    assert isinstance(admission.refused[1], InsufficientFunds)


def test_a_key_repeated_in_one_batch_creates_one_purchase():
    items = [item(1, "a", 100), item(1, "a", 100)]

    admission = admit(items, {1: wallet(1_000)}, set(), {}, LIMIT)

    assert admission.accepted == {(1, "a"): 0}
    assert admission.refused == {}  # the second is a replay of the first


def test_a_key_already_used_is_a_replay_and_charges_nothing():
    admission = admit([item(1, "a", 100)], {1: wallet(0)}, {(1, "a")}, {}, LIMIT)

    assert admission.accepted == {}
    assert admission.refused == {}


def test_the_daily_limit_counts_what_this_batch_already_accepted():
    items = [item(1, "a", 600), item(1, "b", 600)]

    admission = admit(items, {1: wallet(5_000)}, set(), {1: 0}, 1_000 * N)

    assert admission.accepted == {(1, "a"): 0}
    assert isinstance(admission.refused[1], DailyLimitExceeded)


def test_a_refused_order_leaves_the_balance_for_the_next():
    items = [item(1, "a", 2_000), item(1, "b", 900)]

    admission = admit(items, {1: wallet(1_000)}, set(), {}, LIMIT)

    assert isinstance(admission.refused[0], InsufficientFunds)
    assert admission.accepted == {(1, "b"): 1}


def test_an_unknown_or_suspended_user_buys_nothing():
    items = [item(1, "a", 100), item(2, "b", 100)]

    admission = admit(items, {2: wallet(1_000, status="suspended")}, set(), {}, LIMIT)

    assert admission.accepted == {}
    assert isinstance(admission.refused[0], NotFound)
    assert isinstance(admission.refused[1], Forbidden)
