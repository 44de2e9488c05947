"""Outbound callbacks (spec §H): POST JSON, retry until `{"response":"success"}`, max 5 tries.

Every attempt is recorded so tests can assert on retries (`GET /__sim/webhooks`). No signature
headers: VTPass documents none, so receivers must confirm with `/requery`.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp

from gateway.clock import Clock
from gateway.vtpass.simulator.fields import JSONObject
from gateway.vtpass.simulator.tasks import BackgroundTasks

_RESPONSE_SNIPPET = 500


@dataclass(slots=True)
class Attempt:
    number: int
    at: datetime
    http_status: int | None
    response: str | None
    error: str | None
    acknowledged: bool

    def to_json(self) -> JSONObject:
        return {
            "attempt": self.number,
            "at": self.at.isoformat(),
            "http_status": self.http_status,
            "response": self.response,
            "error": self.error,
            "acknowledged": self.acknowledged,
        }


@dataclass(slots=True)
class Delivery:
    """One callback and its attempts; `finished` once acknowledged or out of attempts."""

    id: int
    type: str
    url: str
    request_id: str | None
    body: JSONObject
    attempts: list[Attempt] = field(default_factory=list)
    acknowledged: bool = False
    finished: bool = False

    def to_json(self) -> JSONObject:
        return {
            "id": self.id,
            "type": self.type,
            "url": self.url,
            "request_id": self.request_id,
            "acknowledged": self.acknowledged,
            "finished": self.finished,
            "attempts": [a.to_json() for a in self.attempts],
            "body": self.body,
        }


class WebhookSender:
    """Sends callbacks in tracked background tasks over a session bound at app start-up."""

    def __init__(
        self,
        clock: Clock,
        *,
        max_attempts: int = 5,
        interval_s: float = 10.0,
        timeout_s: float = 10.0,
    ) -> None:
        self._clock = clock
        self._max_attempts = max_attempts
        self._interval_s = interval_s
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._tasks = BackgroundTasks("webhook")
        self._ids = itertools.count(1)
        self.deliveries: list[Delivery] = []

    def bind(self, session: aiohttp.ClientSession | None) -> None:
        """Attach (or, with None, detach) the HTTP session the app's cleanup context owns."""
        self._session = session

    def send(self, url: str, body: JSONObject, *, request_id: str | None = None) -> Delivery:
        delivery = Delivery(
            id=next(self._ids),
            type=str(body.get("type", "")),
            url=url,
            request_id=request_id,
            body=body,
        )
        self.deliveries.append(delivery)
        if self._session is None:
            delivery.attempts.append(
                Attempt(1, self._clock.now(), None, None, "simulator is not running", False)
            )
            delivery.finished = True
        else:
            self._tasks.spawn(self._deliver(delivery, self._session))
        return delivery

    async def drain(self) -> None:
        """Wait for every delivery in flight to be acknowledged or to give up."""
        await self._tasks.drain()

    async def cancel_all(self) -> None:
        await self._tasks.cancel_all()

    async def reset(self) -> None:
        await self._tasks.cancel_all()
        self.deliveries.clear()

    async def _deliver(self, delivery: Delivery, session: aiohttp.ClientSession) -> None:
        for number in range(1, self._max_attempts + 1):
            if number > 1:
                await asyncio.sleep(self._interval_s)
            attempt = await self._attempt(session, delivery, number)
            delivery.attempts.append(attempt)
            if attempt.acknowledged:
                delivery.acknowledged = True
                break
        delivery.finished = True

    async def _attempt(
        self, session: aiohttp.ClientSession, delivery: Delivery, number: int
    ) -> Attempt:
        at = self._clock.now()
        try:
            async with session.post(
                delivery.url, json=delivery.body, timeout=self._timeout, allow_redirects=False
            ) as resp:
                text = await resp.text(errors="replace")
                acked = 200 <= resp.status < 300 and _says_success(await _json(resp))
                return Attempt(number, at, resp.status, text[:_RESPONSE_SNIPPET], None, acked)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return Attempt(number, at, None, None, f"{type(exc).__name__}: {exc}", False)


async def _json(resp: aiohttp.ClientResponse) -> object:
    try:
        return await resp.json(content_type=None)
    except ValueError:
        return None


def _says_success(payload: object) -> bool:
    return isinstance(payload, dict) and payload.get("response") == "success"
