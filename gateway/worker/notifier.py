"""Sending the notifications outbox: the `Notifier` port, its results, and the per-channel registry.

Receipts are written to the outbox with the money (see `gateway.store.outbox`); the worker's
outbox lanes (`gateway.worker.outbox_lane`) move them on, one lane per channel, each through
that channel's `Notifier`. A channel without one (the embedded default has no Africa's Talking
or Telegram credentials) gets the `LogNotifier`: "sent" means logged (phone masked, body left
out) and marked sent with `provider_message_id = "log"`, so `paylink outbox` shows what a
customer would have received.

A channel plugs its sender in with `gateway.worker.context.register_notifier(app, channel,
notifier)` from a cleanup context placed before `worker_ctx`; tests pass `Notifiers` to the
`Worker` directly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from gateway.logs import mask_msisdn
from gateway.store.outbox import OutboxMessage
from gateway.store.tables import OUTBOX_CHANNELS

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"  # the provider took it
    RETRY = "retry"  # not taken this time: due again after a backoff, until the last attempt
    REJECTED = "rejected"  # refused for good (an invalid or blacklisted number): failed, no retry


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a provider said about one message (its own codes, as given)."""

    outcome: Outcome
    provider_message_id: str | None = None
    status_code: int | None = None
    status: str | None = None
    cost: str | None = None
    error: str | None = None  # why it was not sent: never the body, a phone or a key

    @classmethod
    def sent(
        cls,
        provider_message_id: str | None,
        *,
        status_code: int | None = None,
        status: str | None = None,
        cost: str | None = None,
    ) -> SendResult:
        return cls(Outcome.SENT, provider_message_id, status_code, status, cost)

    @classmethod
    def retry(
        cls, error: str, *, status_code: int | None = None, status: str | None = None
    ) -> SendResult:
        return cls(Outcome.RETRY, None, status_code, status, error=error)

    @classmethod
    def rejected(
        cls, error: str, *, status_code: int | None = None, status: str | None = None
    ) -> SendResult:
        return cls(Outcome.REJECTED, None, status_code, status, error=error)


class Notifier(Protocol):
    """Delivers one outbox message (SMS via Africa's Talking, Telegram, or just the log).

    `send` runs concurrently for up to `concurrency` messages of its channel; it returns the
    provider's verdict. An exception counts as `Outcome.RETRY` with the exception's class name
    as the error (its text may quote the provider's answer).
    """

    concurrency: int

    async def send(self, message: OutboxMessage) -> SendResult: ...


class LogNotifier:
    """The embedded default's "SMS": a log line per message, and the text stays in the outbox.

    The body is never logged: receipts carry electricity tokens and exam PINs, and OTP messages
    carry codes. `paylink outbox` shows the text to whoever may read it.
    """

    provider_id = "log"
    concurrency = 64

    async def send(self, message: OutboxMessage) -> SendResult:
        logger.info(
            "outbox #%d to %s (%s): %d characters, read it with `paylink outbox`",
            message.id,
            mask_msisdn(message.phone),
            message.channel,
            len(message.body),
        )
        return SendResult.sent(self.provider_id)


class Notifiers:
    """The channel -> `Notifier` registry the worker sends through; `LogNotifier` by default."""

    def __init__(self, registered: Mapping[str, Notifier] | None = None) -> None:
        self._registered: dict[str, Notifier] = {}
        self._default = LogNotifier()
        for channel, notifier in (registered or {}).items():
            self.register(channel, notifier)

    def register(self, channel: str, notifier: Notifier) -> None:
        """Send `channel`'s messages through `notifier` (once per channel)."""
        if channel not in OUTBOX_CHANNELS:
            raise ValueError(f"no outbox channel {channel!r}; expected one of {OUTBOX_CHANNELS}")
        if channel in self._registered:
            raise ValueError(f"a notifier for {channel!r} is already registered")
        self._registered[channel] = notifier

    def for_channel(self, channel: str) -> Notifier:
        return self._registered.get(channel, self._default)

    @property
    def channels(self) -> tuple[str, ...]:
        """Every outbox channel: each gets its own lane, registered or not."""
        return OUTBOX_CHANNELS
