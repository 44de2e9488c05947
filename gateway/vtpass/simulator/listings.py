"""Bodies of the catalogue endpoints (vtpass.md §2.1-2.3, spec §C), misspellings included.

Catalogue answers carry the code in `response_description` ("000") and no `code` field; the
services list says `minimium_amount` and `convinience_fee`, and plan lists come twice, as
`variations` and the older `varations`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from gateway.vtpass.simulator.amounts import json_number, money_text, plain_text
from gateway.vtpass.simulator.catalogue import CATEGORIES
from gateway.vtpass.simulator.fields import JSONObject
from gateway.vtpass.simulator.plans import PlanChange
from gateway.vtpass.simulator.products import Limits, Service, Variation

_KNOWN_CATEGORIES = frozenset(c.identifier for c in CATEGORIES)


def categories_body() -> JSONObject:
    return {
        "response_description": "000",
        "content": [{"identifier": c.identifier, "name": c.name} for c in CATEGORIES],
    }


def fee_text(fee: Decimal) -> str:
    """The advertised convenience fee: `"0 %"` when free, else `"N100"`."""
    return "0 %" if fee == 0 else f"N{plain_text(fee)}"


def services_body(
    identifier: str,
    services: Sequence[Service],
    limits: Mapping[str, Limits],
    fees: Mapping[str, Decimal],
) -> JSONObject:
    """`GET services?identifier=`; an unknown identifier gets `011` and an empty list [GUESS]."""
    if identifier not in _KNOWN_CATEGORIES:
        return {"response_description": "011", "content": []}
    return {
        "response_description": "000",
        "content": [_service_row(s, limits, fees) for s in services],
    }


def _service_row(
    service: Service, limits: Mapping[str, Limits], fees: Mapping[str, Decimal]
) -> JSONObject:
    limit = limits.get(service.service_id, service.limits)
    maximum: Any = plain_text(limit.maximum)
    if service.numeric_maximum_amount:
        maximum = json_number(limit.maximum)
    return {
        "serviceID": service.service_id,
        "name": service.name,
        "minimium_amount": plain_text(limit.minimum),
        "maximum_amount": maximum,
        "convinience_fee": fee_text(fees.get(service.service_id, Decimal(0))),
        "product_type": service.product_type,
        "image": service.image,
    }


def variation_rows(service: Service, plans: Sequence[Variation]) -> list[JSONObject]:
    return [
        {
            "variation_code": v.code,
            "name": v.name,
            "variation_amount": (
                json_number(v.amount) if service.numeric_variation_amount else money_text(v.amount)
            ),
            "fixedPrice": "Yes" if v.fixed_price else "No",
        }
        for v in plans
    ]


def variations_content(service: Service, plans: Sequence[Variation], fee: Decimal) -> JSONObject:
    rows = variation_rows(service, plans)
    return {
        "ServiceName": service.name,
        "serviceID": service.service_id,
        "convinience_fee": fee_text(fee),
        "variations": rows,
        "varations": [dict(r) for r in rows],
    }


def variations_body(service: Service, plans: Sequence[Variation], fee: Decimal) -> JSONObject:
    return {"response_description": "000", "content": variations_content(service, plans, fee)}


def unknown_service_variations() -> JSONObject:
    """Unknown serviceID on `service-variations` [GUESS shape]."""
    return {"response_description": "012", "content": {"errors": "PRODUCT DOES NOT EXIST"}}


def variations_update_body(
    service: Service, plans: Sequence[Variation], fee: Decimal, change: PlanChange
) -> JSONObject:
    """The `variations-update` callback (vtpass.md §6) after a plan list was replaced."""
    return {
        "type": "variations-update",
        "response_description": "VARIATION CODE UPDATE",
        "serviceID": service.service_id,
        "service": service.name,
        "summary": {
            "added_variation_codes": len(change.added),
            "updated_variation_codes": len(change.updated),
            "removed_variation_codes": len(change.removed),
        },
        "data": {
            "response_description": "000",
            "content": variations_content(service, plans, fee),
        },
        "actionRequired": {
            "added": {"total": len(change.added), "variation_codes": list(change.added)},
            "updated": {"total": len(change.updated), "variation_codes": list(change.updated)},
            "removed": {"total": len(change.removed), "variation_codes": list(change.removed)},
        },
    }
