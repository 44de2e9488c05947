"""What Africa's Talking's answer to a send means for the message (channels.md B1/B2). Pure.

Per recipient `statusCode`: 100 Processed, 101 Sent, 102 Queued are accepted; 403 invalid
number, 404 unsupported number type, 406 blacklisted, 409 do-not-disturb fail for good (a
retry would be refused again); everything else (401 risk hold, 402 sender id, 405 AT balance,
407 could not route, 5xx, a code we do not know) is retried with backoff, so nothing is dropped
on a guess. An HTTP error (the SDK raises with only the body) is retried too; AT's 401 body
names a bad key. 402, 405 and an HTTP 401 are the operator's to fix: each comes with an alert.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gateway.worker.notifier import Outcome, SendResult

ACCEPTED = frozenset({100, 101, 102})
FAILED_FOR_GOOD = frozenset({403, 404, 406, 409})
BAD_KEY_TEXT = "the supplied authentication is invalid"  # AT's HTTP 401 body


class Alert(StrEnum):
    """A problem only the operator can fix; the text is what the log says."""

    BAD_KEY = "Africa's Talking refuses our API key (HTTP 401): check AT_USERNAME and AT_API_KEY"
    BALANCE = "Africa's Talking account balance is too low (status 405): top it up"
    SENDER_ID = "Africa's Talking refuses our sender id (status 402): check AT_SENDER_ID"
    NO_RECIPIENT = "Africa's Talking accepted no recipient (check the sender id and the account)"


_ALERT_BY_CODE = {402: Alert.SENDER_ID, 405: Alert.BALANCE}


@dataclass(frozen=True, slots=True)
class Verdict:
    result: SendResult
    alert: Alert | None = None


def classify(status_code: int) -> Outcome:
    """A recipient's `statusCode` as an outcome for its message."""
    if status_code in ACCEPTED:
        return Outcome.SENT
    if status_code in FAILED_FOR_GOOD:
        return Outcome.REJECTED
    return Outcome.RETRY


def read_answer(answer: object) -> Verdict:
    """AT's 2xx answer (the SDK's dict, or its raw text when the content type was not bare
    `application/json`) for a one-recipient send."""
    data = _as_json(answer)
    if data is None:
        # AT took the request (2xx) but its answer cannot be read: sending again could text
        # the customer twice, so it counts as sent, with the reason kept
        return Verdict(SendResult.sent(None, status="unreadable answer"))
    body = data.get("SMSMessageData")
    recipients = body.get("Recipients") if isinstance(body, Mapping) else None
    if not isinstance(recipients, list) or not recipients:
        said = body.get("Message") if isinstance(body, Mapping) else None
        error = f"no recipient in AT's answer: {_short(said)}"
        return Verdict(SendResult.retry(error), Alert.NO_RECIPIENT)
    return _recipient(recipients[0])


def http_error(text: str) -> Verdict:
    """The SDK's `AfricasTalkingException` for a non-2xx answer: its text is AT's body."""
    if BAD_KEY_TEXT in text.lower():
        return Verdict(SendResult.retry("HTTP 401: authentication is invalid"), Alert.BAD_KEY)
    return Verdict(SendResult.retry(f"HTTP error: {_short(text)}"))


def _recipient(entry: object) -> Verdict:
    if not isinstance(entry, Mapping):
        return Verdict(SendResult.retry("unreadable recipient in AT's answer"))
    raw = entry.get("statusCode")
    try:
        code = int(raw) if isinstance(raw, int | str) else None
    except ValueError:
        code = None
    if code is None:
        return Verdict(SendResult.retry("no statusCode in AT's answer"))
    status = _text(entry.get("status"))
    outcome = classify(code)
    if outcome is Outcome.SENT:
        message_id = _text(entry.get("messageId"))
        return Verdict(
            SendResult.sent(
                None if message_id in (None, "None") else message_id,
                status_code=code,
                status=status,
                cost=_text(entry.get("cost")),
            )
        )
    error = f"AT status {code} {status or ''}".rstrip()
    if outcome is Outcome.REJECTED:
        return Verdict(SendResult.rejected(error, status_code=code, status=status))
    return Verdict(
        SendResult.retry(error, status_code=code, status=status), _ALERT_BY_CODE.get(code)
    )


def _as_json(answer: object) -> Mapping[str, Any] | None:
    if isinstance(answer, str | bytes):
        try:
            answer = json.loads(answer)
        except ValueError:
            return None
    return answer if isinstance(answer, Mapping) else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _short(value: object, limit: int = 80) -> str:
    """One line of at most `limit` characters (AT's error pages can be HTML)."""
    return " ".join(str(value).split())[:limit]
