"""Phone numbers never reach a log handler in full."""

import logging
import sys

import pytest

from gateway.logs import QUIET_LOGGERS, MsisdnMaskingFilter, mask_msisdn, setup_logging


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+2348031234567", "+234803****567"),
        ("2348031234567", "234803****567"),
        ("08031234567", "0803****567"),
        ("user 07061234567 bought", "user 0706****567 bought"),
    ],
)
def test_nigerian_numbers_are_masked(text, masked):
    assert mask_msisdn(text) == masked


def test_other_digits_are_left_alone():
    text = "request 202611271030abc amount 1500"
    assert mask_msisdn(text) == text


def test_filter_masks_formatted_arguments():
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "hop from %s", ("+2348031234567",), None
    )
    MsisdnMaskingFilter().filter(record)
    assert record.getMessage() == "hop from +234803****567"


def test_filter_masks_phone_numbers_inside_tracebacks():
    try:
        raise ValueError("duplicate key (phone)=(+2348031234567)")
    except ValueError:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "insert failed", (), sys.exc_info()
        )
    MsisdnMaskingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "+2348031234567" not in text
    assert "+234803****567" in text


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.parametrize(
    "name",
    [
        "aiosqlite",
        "sqlalchemy.engine.Engine",
        "sqlalchemy.pool.impl.QueuePool",
        "httpcore.http11",
        "httpx",
        "hpack.hpack",
        "asyncio",
        "psycopg",
    ],
)
def test_debug_logging_never_reaches_the_libraries_that_quote_parameters(restore_logging, name):
    setup_logging("DEBUG")
    assert logging.getLogger("gateway.anything").isEnabledFor(logging.DEBUG)
    library = logging.getLogger(name)
    assert not library.isEnabledFor(logging.INFO)  # SQLAlchemy logs statements at INFO
    assert library.isEnabledFor(logging.WARNING)
