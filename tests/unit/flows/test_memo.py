"""Values kept per object: found by identity, never for an equal but different object."""

from __future__ import annotations

from gateway.flows.memo import ByIdentity


def test_a_value_is_found_for_the_same_object_and_extra_only():
    memo: ByIdentity[str] = ByIdentity(8)
    orders = ["airtime", "data"]
    memo.put(orders, "drawn", extra=20)

    assert memo.get(orders, extra=20) == "drawn"
    assert memo.get(orders, extra=30) is None
    assert memo.get(list(orders), extra=20) is None  # equal, but another object


def test_the_oldest_values_go_first():
    memo: ByIdentity[int] = ByIdentity(2)
    first, second, third = ["a"], ["b"], ["c"]
    for n, obj in enumerate((first, second, third)):
        memo.put(obj, n)

    assert memo.get(first) is None
    assert memo.get(second) == 1
    assert memo.get(third) == 2
