"""Operator alerts: one log line when a problem starts and one when it clears, not per message.

During an AT outage of our key or balance every message fails the same way; a line per message
would bury the one line the operator needs. The latch lives on the event loop (the sender
updates it after each answer), so it needs no lock.
"""

from __future__ import annotations

import logging

from gateway.sms.answers import Alert

logger = logging.getLogger(__name__)


class AlertLatch:
    """Logs each `Alert` at ERROR once while it lasts; `clear` logs its end once."""

    def __init__(self) -> None:
        self._active: set[Alert] = set()

    @property
    def active(self) -> frozenset[Alert]:
        return frozenset(self._active)

    def raise_alert(self, alert: Alert) -> None:
        if alert not in self._active:
            self._active.add(alert)
            logger.error("operator alert: %s; SMS are kept and retried until it clears", alert)

    def clear(self) -> None:
        """AT took a message again: whatever was wrong is fixed."""
        for alert in sorted(self._active):
            logger.warning("operator alert cleared: %s", alert)
        self._active.clear()
