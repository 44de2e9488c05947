"""What submitting needs from whoever vends: a hint that work is due now.

Owned here so purchases depend on nothing above them; the worker implements it
(`gateway.worker.wakeup`). A hint only: the database stays the source of truth and the
worker's sweep claims anything a lost hint left behind.
"""

from __future__ import annotations

from typing import Protocol


class WakeUp(Protocol):
    """Submitters call `notify` after a purchase is committed."""

    async def notify(self) -> None:
        """Tell every worker that work is due now."""
        ...
