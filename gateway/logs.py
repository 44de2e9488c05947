"""Logging set-up: one line per event, phone numbers masked, secrets never formatted.

Two formats (`PAYLINK_LOG_FORMAT`): `text`, readable lines for development, and `json`, one
JSON object a line for production log shippers. Either way every line carries the request id
of the hop or request it was written for (`request_id`, set by `gateway.tracing`), so one
USSD hop's lines can be found among thousands; `-` outside any request.
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

# Libraries whose DEBUG/INFO lines quote SQL parameters (OTP and PIN hashes, electricity tokens),
# HTTP bodies and headers (VTPass keys, tokens in URLs), chat updates or callback reprs: held at
# WARNING whatever PAYLINK_LOG_LEVEL says. `sqlalchemy` covers its engine, pool, orm and dialects.
QUIET_LOGGERS = (
    "aiosqlite",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "psycopg",
    "httpcore",
    "httpx",
    "hpack",
    "asyncio",
    "aiohttp.access",
    "telegram",  # python-telegram-bot: DEBUG lines quote updates (a typed PIN) and replies
)

# +2348031234567 / 2348031234567 / 08031234567 -> keep the network prefix and last 3 digits.
_MSISDN = re.compile(r"(?<!\d)(\+?234|0)([789][01]\d)(\d{4})(\d{3})(?!\d)")


def mask_msisdn(text: str) -> str:
    """Mask every Nigerian phone number in `text` (`+234803****567`)."""
    return _MSISDN.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(4)}", text)


class MsisdnMaskingFilter(logging.Filter):
    """Rewrites each record's message and traceback so no full phone number reaches a handler.

    Tracebacks matter as much as messages: an exception's text often quotes SQL parameters
    or request fields, which is where phone numbers hide.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_msisdn(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_msisdn(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_msisdn(record.stack_info)
        return True


# The id of the hop or request being served; each aiohttp request runs in its own task, so
# setting it there never leaks into another request's lines.
request_id: ContextVar[str] = ContextVar("paylink_request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (`record.request_id`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, request id, message, and
    the traceback when there is one (already masked by `MsisdnMaskingFilter`)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def formatter(fmt: str = "text") -> logging.Formatter:
    """The formatter of `PAYLINK_LOG_FORMAT` (`json` or `text`)."""
    if fmt == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT, "%Y-%m-%dT%H:%M:%S")


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Configure the root logger once for the CLI entry points; `level` never reaches the
    libraries in `QUIET_LOGGERS`, `fmt` is `json` or `text`."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(fmt))
    handler.addFilter(MsisdnMaskingFilter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
