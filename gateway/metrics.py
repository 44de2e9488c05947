"""The gateway's Prometheus metrics: every metric object in one leaf module, so any layer may
count without importing the application.

Why module-level objects: a hop must not look anything up to count itself; callers bind the
labelled child they use once (`HOP_SECONDS.labels("ussd")`) and pay one lock and one add per
event. Labels are small fixed sets (channel, outcome, status, category, endpoint, a provider's
own short status word), never a phone, a reference or free text: `bounded()` guards the last.

Several processes on one machine: set `PROMETHEUS_MULTIPROC_DIR` to an empty directory (wiped
before start-up) in the environment of every `paylink serve` and `paylink worker`. The client
reads it when it is first imported, so it must be in the environment, not in a settings file;
then every process writes its samples there and any gateway's `/metrics` answers for all of
them (`gateway.health`). Gauges say how the processes combine (`multiprocess_mode`).

What is read from the database or from VTPass at scrape time (oldest open purchase, outbox
backlog, float balance) is not here: `gateway.gauges` builds it per scrape.
"""

from __future__ import annotations

import os
import re

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client import multiprocess as shared

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# USSD answers within AT's ~2 s budget; the slow tail is what matters.
HOP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
# Submit to settled: seconds for most, minutes to an hour for pending requeries.
SETTLE_BUCKETS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
VTPASS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0)

HOPS = Counter(
    "paylink_hops",
    "Inbound messages answered (USSD hops, SMS, Telegram updates) by channel and outcome "
    "(continued: the conversation goes on; ended; failed: answered with an apology).",
    ["channel", "outcome"],
)
HOP_SECONDS = Histogram(
    "paylink_hop_seconds",
    "Time from an inbound message to its answer, by channel.",
    ["channel"],
    buckets=HOP_BUCKETS,
)
PURCHASES = Counter(
    "paylink_purchases",
    "Purchases reaching a status (initiated at submit, then pending, delivered, failed, "
    "reversed), by category.",
    ["status", "category"],
)
SETTLE_SECONDS = Histogram(
    "paylink_purchase_settle_seconds",
    "Time from a purchase's submit to its final status (delivered or failed), by category.",
    ["category"],
    buckets=SETTLE_BUCKETS,
)
VTPASS_SECONDS = Histogram(
    "paylink_vtpass_request_seconds",
    "Time of one HTTP exchange with VTPass, by endpoint (pay, requery, merchant-verify, ...).",
    ["endpoint"],
    buckets=VTPASS_BUCKETS,
)
VTPASS_CALLS = Counter(
    "paylink_vtpass_calls",
    "VTPass exchanges by endpoint and HTTP status (or unreachable, no_answer, circuit_open).",
    ["endpoint", "status"],
)
VTPASS_CODES = Counter(
    "paylink_vtpass_response_codes",
    "VTPass response codes of pay and requery answers (000, 016, 099, ...; none: no code).",
    ["endpoint", "code"],
)
BREAKER_OPEN = Gauge(
    "paylink_vtpass_breaker_open",
    "1 while a VTPass circuit breaker is open (or half-open, waiting on its probe), else 0.",
    multiprocess_mode="livemax",  # any live process with an open breaker
)
OUTBOX_SENDS = Counter(
    "paylink_outbox_sends",
    "Outbox messages handed to a provider, by channel and outcome (sent, retry, failed).",
    ["channel", "outcome"],
)
SEND_FAILURES = Counter(
    "paylink_send_failures",
    "SMS and Telegram sends that did not go, by channel and reason (the provider's status "
    "word, an HTTP status, or the kind of failure).",
    ["channel", "reason"],
)
PIN_LOCKOUTS = Counter(
    "paylink_pin_lockouts",
    "PIN lockouts set after too many wrong PINs (timed: 30 minutes; hard: until a reset).",
    ["kind"],
)
LOGIN_FAILURES = Counter(
    "paylink_login_failures",
    "Refused REST logins by reason (invalid_credentials, inactive).",
    ["reason"],
)
FUNDING_ALERTS = Counter(
    "paylink_funding_alerts",
    "Wallet fundings flagged for operators, by reason (large, over_daily_limit, review, "
    "reversed); each is also a WARNING on the gateway.paystack.alerts logger.",
    ["reason"],
)

# Every name `/metrics` shows after a short run (the counters' samples end in `_total`).
NAMES = (
    "paylink_hops_total",
    "paylink_hop_seconds",
    "paylink_purchases_total",
    "paylink_purchase_settle_seconds",
    "paylink_vtpass_request_seconds",
    "paylink_vtpass_calls_total",
    "paylink_vtpass_response_codes_total",
    "paylink_vtpass_breaker_open",
    "paylink_outbox_sends_total",
    "paylink_send_failures_total",
    "paylink_pin_lockouts_total",
    "paylink_login_failures_total",
    "paylink_funding_alerts_total",
)

_WORD = re.compile(r"[A-Za-z0-9_]{1,40}")


def bounded(value: object, fallback: str = "other") -> str:
    """`value` as a label if it is one short word, else `fallback`: a provider's status word
    (`InvalidPhoneNumber`) is a label, a sentence or anything quoting input is not."""
    text = str(value) if value is not None else ""
    return text if _WORD.fullmatch(text) else fallback


def multiprocess() -> bool:
    """Whether samples go to the shared directory (several processes on one machine)."""
    return bool(os.environ.get(MULTIPROC_ENV))


def forget_this_process() -> None:
    """At exit: this process's live gauges (the breaker) leave the shared directory's answer."""
    if multiprocess():
        shared.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
