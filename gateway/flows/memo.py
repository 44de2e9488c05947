"""Values worked out once per immutable object, for the hot path of every hop.

The engine's objects (a session's caller, a catalogue snapshot, a caller's recent orders) are
frozen and travel unchanged through many hops, while what is derived from them (their JSON
form, menu lines) used to be rebuilt on each. Entries are found by the object's identity,
checked against the object itself, which the entry keeps alive so its id cannot be reused;
the oldest entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ByIdentity(Generic[V]):
    """Up to `size` values, each for one object (plus any hashable `extra` key parts)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[int, Hashable], tuple[object, V]] = OrderedDict()

    def get(self, obj: object, extra: Hashable = None) -> V | None:
        """The value kept for `obj` (and `extra`), if any. Shared between callers: read it,
        never change it."""
        known = self._items.get((id(obj), extra))
        return known[1] if known is not None and known[0] is obj else None

    def put(self, obj: object, value: V, extra: Hashable = None) -> V:
        """Keep `value` for `obj` (and `extra`); returns it."""
        self._items[(id(obj), extra)] = (obj, value)
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return value
