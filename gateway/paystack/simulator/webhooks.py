"""Signed, retried webhook deliveries (spec §E): exact bytes signed, every attempt recorded.

Schedules follow Paystack's (§3.1): live mode retries 4 times 3 minutes apart then hourly for
72 hours; test mode hourly for 10 hours. `time_scale` compresses the waits for tests. Only an
HTTP 200 acknowledges a delivery.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp

from gateway.clock import Clock
from gateway.paystack.signature import HEADER, sign

_LIVE_WAITS = (180.0,) * 3 + (3600.0,) * 72
_TEST_WAITS = (3600.0,) * 10


def retry_waits(domain: str) -> tuple[float, ...]:
    """Seconds before each retry after the first attempt, per mode."""
    return _LIVE_WAITS if domain == "live" else _TEST_WAITS


@dataclass(slots=True)
class Attempt:
    at: datetime
    status: int | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "status": self.status, "error": self.error}


@dataclass(slots=True)
class Delivery:
    id: int
    event: str
    reference: str | None
    body: bytes
    signature: str
    domain: str
    dropped: bool = False
    acknowledged: bool = False
    attempts: list[Attempt] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event": self.event,
            "reference": self.reference,
            "dropped": self.dropped,
            "acknowledged": self.acknowledged,
            "attempts": [a.to_json() for a in self.attempts],
            "body": json.loads(self.body),
            "signature": self.signature,
        }


class WebhookDispatcher:
    """Sends events in tracked background tasks over a session bound at app start-up."""

    def __init__(
        self, clock: Clock, *, url: str | None, time_scale: float, timeout_s: float
    ) -> None:
        self.url = url
        self.mode = "deliver"  # or "drop": record the event, send nothing (a lost webhook)
        self._clock = clock
        self._scale = time_scale
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self.deliveries: list[Delivery] = []

    def bind(self, session: aiohttp.ClientSession | None) -> None:
        self._session = session

    def send(self, secret_key: str, domain: str, event: str, data: dict[str, Any]) -> Delivery:
        """Record `event` and deliver it (unless dropped or no URL is set)."""
        body = json.dumps({"event": event, "data": data}, separators=(",", ":")).encode()
        reference = data.get("reference") or data.get("transaction_reference")
        delivery = Delivery(
            id=next(self._ids),
            event=event,
            reference=None if reference is None else str(reference),
            body=body,
            signature=sign(secret_key, body),
            domain=domain,
            dropped=self.mode == "drop" or self.url is None,
        )
        self.deliveries.append(delivery)
        if not delivery.dropped:
            self._spawn(self._deliver(delivery))
        return delivery

    def redeliver(self, delivery: Delivery, times: int, *, concurrent: bool) -> None:
        """The same bytes and signature `times` more (spec §F `duplicate`)."""
        if concurrent:
            for _ in range(times):
                self._spawn(self._post_once(delivery))
        else:
            self._spawn(self._post_in_turn(delivery, times))

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def reset(self) -> None:
        self.deliveries.clear()
        self.mode = "deliver"

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro, name="paystack-sim-webhook")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        waits = retry_waits(delivery.domain)
        for number in range(len(waits) + 1):
            if number:
                await asyncio.sleep(waits[number - 1] * self._scale)
            if await self._post_once(delivery):
                return

    async def _post_in_turn(self, delivery: Delivery, times: int) -> None:
        for _ in range(times):
            await self._post_once(delivery)

    async def _post_once(self, delivery: Delivery) -> bool:
        if self._session is None or self.url is None:
            return False
        at = self._clock.now()
        headers = {"Content-Type": "application/json", HEADER: delivery.signature}
        try:
            async with self._session.post(
                self.url, data=delivery.body, headers=headers, timeout=self._timeout
            ) as response:
                await response.read()
                delivery.attempts.append(Attempt(at, response.status, None))
                if response.status == 200:
                    delivery.acknowledged = True
                    return True
                return False
        except (aiohttp.ClientError, TimeoutError) as exc:
            delivery.attempts.append(Attempt(at, None, type(exc).__name__))
            return False
