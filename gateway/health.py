"""Liveness, readiness and Prometheus metrics routes.

`/healthz` only says the process serves HTTP. `/readyz` says whether this instance can take
traffic: the database answers, Redis answers (when configured) and the VTPass circuit breaker
is not open. A load balancer should route on `/readyz`, restart on `/healthz`.

From the moment `paylink serve` is told to stop (SIGTERM), `/readyz` answers 503 `stopping`
without running the checks: the balancer takes the instance out while it still serves the
hops already sent to it (`gateway.cli.serve`).

`/metrics` answers for this process, or, with `PROMETHEUS_MULTIPROC_DIR` set, for every
process on the machine (`gateway.metrics`), plus the gauges read at scrape time
(`gateway.gauges`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from gateway.gauges import ScrapeGauges
from gateway.keys import ReadinessCheck, readiness_checks_key, registry_key
from gateway.metrics import forget_this_process
from gateway.metrics import multiprocess as is_multiprocess

CHECK_TIMEOUT_S = 2.0
scrape_gauges_key = web.AppKey("scrape_gauges", ScrapeGauges)


class Stopping:
    """Whether this process is shutting down; set once, from the signal handler."""

    __slots__ = ("_since",)

    def __init__(self) -> None:
        self._since = False

    def set(self) -> None:
        self._since = True

    def __bool__(self) -> bool:
        return self._since


stopping_key = web.AppKey("stopping", Stopping)


def mark_stopping(app: web.Application) -> None:
    """From now on `/readyz` answers 503: a balancer stops sending this instance new work."""
    app[stopping_key].set()


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    app = request.app
    if app[stopping_key]:
        return web.json_response({"status": "stopping", "checks": {}}, status=503)
    checks = app[readiness_checks_key]
    results = await asyncio.gather(*(_run_check(check, app) for check in checks.values()))
    report: dict[str, Any] = {
        name: {"ok": ok, "detail": detail}
        for name, (ok, detail) in zip(checks, results, strict=True)
    }
    ready = all(ok for ok, _ in results)
    return web.json_response(
        {"status": "ready" if ready else "not_ready", "checks": report},
        status=200 if ready else 503,
    )


async def _run_check(check: ReadinessCheck, app: web.Application) -> tuple[bool, str]:
    try:
        return await asyncio.wait_for(check(app), CHECK_TIMEOUT_S)
    except TimeoutError:
        return False, f"no answer within {CHECK_TIMEOUT_S:g}s"
    except Exception as exc:  # a readiness probe reports failures, it never raises
        return False, type(exc).__name__


async def metrics(request: web.Request) -> web.Response:
    app = request.app
    await app[scrape_gauges_key].refresh(app)
    body = generate_latest(_processes()) + generate_latest(app[registry_key])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def _processes() -> CollectorRegistry:
    """This process's metrics, or every process's from the shared directory (read afresh)."""
    if not is_multiprocess():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


async def _forget_this_process(_app: web.Application) -> None:
    forget_this_process()


def setup_health_routes(app: web.Application) -> None:
    gauges = app[scrape_gauges_key] = ScrapeGauges()
    app[stopping_key] = Stopping()
    app[registry_key].register(gauges)
    app.on_cleanup.append(_forget_this_process)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
