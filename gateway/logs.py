"""Logging set-up: one line per event, phone numbers masked, secrets never formatted."""

from __future__ import annotations

import logging
import re

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


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once for the CLI entry points; `level` never reaches the
    libraries in `QUIET_LOGGERS`."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    handler.addFilter(MsisdnMaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
