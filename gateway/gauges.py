"""The gauges read at scrape time: open purchases, the outbox backlog and the VTPass float.

Why at scrape time rather than kept by a process: they are facts of the shared database and
of our VTPass wallet, the same whichever gateway answers the scrape, so no process has to keep
them current and no multiprocess file can hold a stale copy left by a process that died. A
scrape costs two indexed aggregate queries; VTPass is asked for the float at most once every
`FLOAT_TTL_S`, and when it does not answer the last value read is kept (its age is shown).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aiohttp import web
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from gateway.domain.purchase_status import OPEN_STATUSES
from gateway.keys import clock_key, db_key, settings_key
from gateway.store.tables import OUTBOX_CHANNELS, Outbox, Purchase
from gateway.vtpass.keys import vtpass_key

logger = logging.getLogger(__name__)

FLOAT_TTL_S = 60.0
FLOAT_TIMEOUT_S = 2.0  # a scrape must answer even when VTPass is slow
BACKLOG_STATUSES = ("queued", "sending")
_OPEN = tuple(status.value for status in OPEN_STATUSES)

NAMES = (
    "paylink_open_purchases",
    "paylink_oldest_open_purchase_seconds",
    "paylink_outbox_backlog",
    "paylink_outbox_oldest_seconds",
    "paylink_vtpass_float_kobo",
    "paylink_vtpass_float_low",
    "paylink_vtpass_float_low_threshold_kobo",
    "paylink_vtpass_float_age_seconds",
)


class BalanceSource(Protocol):
    """What the float is read from: `VTPassClient`."""

    async def balance(self) -> int: ...


@dataclass(slots=True)
class Facts:
    """What the last refresh read; `float_kobo` None until VTPass has answered once."""

    open_purchases: int = 0
    oldest_open_s: float = 0.0
    backlog: dict[str, int] = field(default_factory=dict)
    oldest_queued_s: dict[str, float] = field(default_factory=dict)
    float_kobo: int | None = None
    float_read_at: float | None = None  # monotonic


class ScrapeGauges(Collector):
    """A collector over `Facts`; `refresh(app)` reads them just before each exposition."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.facts = Facts()
        self.low_float = 0
        self._monotonic = monotonic
        self._float_tried_at: float | None = None

    async def refresh(self, app: web.Application) -> None:
        """Read the database facts, and the float when it is due; never raises."""
        self.low_float = app[settings_key].vtpass_low_float
        try:
            await self._read_database(app)
        except Exception:
            logger.exception("metrics: could not read the open purchases and the outbox")
        if vtpass_key in app:
            await self.refresh_float(app[vtpass_key])

    async def refresh_float(self, vtpass: BalanceSource) -> None:
        """Ask VTPass for the float if `FLOAT_TTL_S` passed since the last try; never raises."""
        tried = self._float_tried_at
        if tried is not None and self._monotonic() - tried < FLOAT_TTL_S:
            return
        self._float_tried_at = self._monotonic()
        try:
            balance = await asyncio.wait_for(vtpass.balance(), FLOAT_TIMEOUT_S)
        except Exception as exc:  # kept: the last value read, with its age
            logger.warning("metrics: could not read the VTPass float (%s)", type(exc).__name__)
            return
        self.facts.float_kobo = int(balance)
        self.facts.float_read_at = self._monotonic()

    async def _read_database(self, app: web.Application) -> None:
        now = app[clock_key].now()
        async with app[db_key]() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(Purchase.created_at)).where(
                        Purchase.status.in_(_OPEN)
                    )
                )
            ).one()
            rows = (
                await session.execute(
                    select(Outbox.channel, func.count(), func.min(Outbox.created_at))
                    .where(Outbox.status.in_(BACKLOG_STATUSES))
                    .group_by(Outbox.channel)
                )
            ).all()
        self.facts.open_purchases = int(count)
        self.facts.oldest_open_s = _age(now, oldest)
        self.facts.backlog = dict.fromkeys(OUTBOX_CHANNELS, 0)
        self.facts.oldest_queued_s = dict.fromkeys(OUTBOX_CHANNELS, 0.0)
        for channel, queued, first in rows:
            self.facts.backlog[channel] = int(queued)
            self.facts.oldest_queued_s[channel] = _age(now, first)

    def collect(self) -> Iterator[Metric]:
        facts = self.facts
        yield _gauge(
            "paylink_open_purchases", "Purchases initiated or pending.", facts.open_purchases
        )
        yield _gauge(
            "paylink_oldest_open_purchase_seconds",
            "Age of the oldest purchase still initiated or pending (0: none).",
            facts.oldest_open_s,
        )
        backlog = GaugeMetricFamily(
            "paylink_outbox_backlog",
            "Outbox messages queued or being sent, by channel.",
            labels=["channel"],
        )
        oldest = GaugeMetricFamily(
            "paylink_outbox_oldest_seconds",
            "Age of the oldest outbox message queued or being sent, by channel (0: none).",
            labels=["channel"],
        )
        for channel, queued in facts.backlog.items():
            backlog.add_metric([channel], queued)
            oldest.add_metric([channel], facts.oldest_queued_s.get(channel, 0.0))
        yield backlog
        yield oldest
        yield _gauge(
            "paylink_vtpass_float_low_threshold_kobo",
            "PAYLINK_VTPASS_LOW_FLOAT in kobo: the float below which it is low.",
            self.low_float,
        )
        if facts.float_kobo is None or facts.float_read_at is None:
            return  # never read: no value is better than a made-up one
        yield _gauge(
            "paylink_vtpass_float_kobo", "Our VTPass wallet balance in kobo.", facts.float_kobo
        )
        yield _gauge(
            "paylink_vtpass_float_low",
            "1 when the VTPass float is under PAYLINK_VTPASS_LOW_FLOAT, else 0.",
            int(facts.float_kobo < self.low_float),
        )
        yield _gauge(
            "paylink_vtpass_float_age_seconds",
            "Seconds since the VTPass float was last read.",
            self._monotonic() - facts.float_read_at,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _age(now: datetime, then: datetime | None) -> float:
    return 0.0 if then is None else max((now - then).total_seconds(), 0.0)
