"""The port through which the shell may keep values the flows derive, between hops.

Why a port and not a cache here: the core holds no state. A flow names what a value depends on
(a hashable key made of values, e.g. the catalogue snapshot's version or the caller's orders)
and how to make it; the shell (`gateway.conversations.memo`) decides whether to keep it. The
same key always makes the same value, so any answer is the one `compute` gives.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Memo(Protocol):
    """`memo(key, make)`: `make()`, or the value an earlier call with an equal key made. The
    value may be shared: read it, never change it."""

    def __call__(self, key: Hashable, make: Callable[[], T], /) -> T: ...


def compute(key: Hashable, make: Callable[[], T], /) -> T:  # noqa: ARG001 - the port's shape
    """Keep nothing (tests, tools, and any caller without a cache)."""
    return make()
