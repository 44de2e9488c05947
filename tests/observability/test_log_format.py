"""The two log formats: JSON lines for production, readable lines for development."""

from __future__ import annotations

import json
import logging

import pytest

from gateway.errors import ConfigError
from gateway.logs import MsisdnMaskingFilter, RequestIdFilter, formatter, request_id
from gateway.settings import Settings


def formatted(fmt: str, message: str, *args: object, exc: BaseException | None = None) -> str:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    record = logging.LogRecord("gateway.x", logging.WARNING, __file__, 1, message, args, exc_info)
    for log_filter in (MsisdnMaskingFilter(), RequestIdFilter()):
        log_filter.filter(record)
    return formatter(fmt).format(record)


def test_a_json_line_has_time_level_logger_request_id_and_the_masked_message():
    token = request_id.set("a1b2c3d4e5f60718")
    try:
        line = json.loads(formatted("json", "SMS to %s failed", "+2348031234567"))
    finally:
        request_id.reset(token)
    assert line["level"] == "WARNING"
    assert line["logger"] == "gateway.x"
    assert line["request_id"] == "a1b2c3d4e5f60718"
    assert line["message"] == "SMS to +234803****567 failed"
    assert line["time"].endswith("+00:00")


def test_a_json_line_keeps_a_traceback_masked_and_on_one_line():
    try:
        raise ValueError("no user 08031234567")
    except ValueError as exc:
        text = formatted("json", "lookup failed", exc=exc)
    assert "\n" not in text
    line = json.loads(text)
    assert "ValueError: no user 0803****567" in line["exception"]


def test_a_text_line_shows_the_request_id_in_brackets():
    token = request_id.set("feedc0ffee000001")
    try:
        line = formatted("text", "hop answered")
    finally:
        request_id.reset(token)
    assert " WARNING gateway.x [feedc0ffee000001]: hop answered" in line


@pytest.mark.parametrize(("raw", "fmt"), [("JSON", "json"), ("text", "text")])
def test_the_format_is_a_setting(raw, fmt):
    assert Settings.from_env({"PAYLINK_LOG_FORMAT": raw}).log_format == fmt


def test_development_is_the_default_format():
    assert Settings.from_env({}).log_format == "text"


def test_an_unknown_format_is_a_configuration_error():
    with pytest.raises(ConfigError, match="PAYLINK_LOG_FORMAT"):
        Settings.from_env({"PAYLINK_LOG_FORMAT": "xml"})
