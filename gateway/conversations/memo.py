"""The shell's cache behind `gateway.flows.memo.Memo`: values the flows derive, kept by key.

Why here: the pure core keeps no state; this process does. Keys are values (a catalogue
snapshot's version, a caller's orders), cheap to hash and compare, so an entry can never be
served for a different input, whichever object carries it. Bounded, least recently used out.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import cachetools

T = TypeVar("T")

KEPT = 4096  # a main menu and the orders of each recently active phone line, with room


class ValueMemo:
    """Fits `gateway.flows.memo.Memo`: `memo(key, make)`."""

    def __init__(self, size: int = KEPT) -> None:
        self._values: cachetools.LRUCache[Hashable, object] = cachetools.LRUCache(size)

    def __call__(self, key: Hashable, make: Callable[[], T], /) -> T:
        try:
            return self._values[key]  # type: ignore[return-value]  # `make` for this key made it
        except KeyError:
            value = self._values[key] = make()
            return value
