"""VTPass callback bodies -> `WebhookEvent`; a transaction update is read like a requery."""

from __future__ import annotations

from collections.abc import Mapping

from gateway.vtpass.models import WebhookEvent
from gateway.vtpass.pay_results import classify
from gateway.vtpass.reading import (
    MalformedResponse,
    read_mapping,
    read_text,
    require_mapping,
    unwrap_json,
)


def parse_webhook(body: object) -> WebhookEvent:
    """A VTPass callback body -> `WebhookEvent`; money never moves on it, only a requery.

    Raises:
        MalformedResponse: not a JSON object, or a transaction-update without `data`.
    """
    obj = require_mapping(body, "webhook")
    kind = read_text(obj.get("type")) or "unknown"
    if kind == "transaction-update":
        data = unwrap_json(obj.get("data"))
        if not isinstance(data, Mapping):
            raise MalformedResponse("transaction-update without a data object")
        result = classify(200, data, requery=True)
        return WebhookEvent(kind=kind, request_id=result.request_id or None, result=result)
    service_id = read_text(obj.get("serviceID")) or read_text(
        read_mapping(read_mapping(obj.get("data")).get("content")).get("serviceID")
    )
    return WebhookEvent(kind=kind, request_id=None, result=None, service_id=service_id)
