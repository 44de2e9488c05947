"""The OpenAPI document is the whole rule: what it allows is accepted, what it forbids is refused.

A fuzzer found requests the schema allowed being refused (control characters, blanks stripped
before length checks, login's "exactly one of phone and email" only in prose) and examples
that were not real values. Each test feeds the same edge values to the document's own schema
(a JSON Schema validator) and to the server, and they must agree; passwords are taken exactly
as typed; every timestamp leaves in one format.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest

from gateway.api.routes import build_api_document
from gateway.api.times import TIMESTAMP_PATTERN
from gateway.security import pins
from gateway.security.keys import pin_service_key
from tests.api.helpers import (
    PASSWORD,
    PHONE,
    PIN,
    bearer,
    fund,
    idem,
    login,
    set_pin,
    signup,
    user_id,
)

DOCUMENT = build_api_document()
SCHEMAS = DOCUMENT["components"]["schemas"]
TIMESTAMP = re.compile(TIMESTAMP_PATTERN)


def _allows(model: str, body: dict[str, Any]) -> bool:
    schema = {"$ref": f"#/components/schemas/{model}", "components": DOCUMENT["components"]}
    return bool(jsonschema_rs.validator_for(schema).is_valid(body))


def _parameter(path: str, name: str) -> dict[str, Any]:
    params = DOCUMENT["paths"][path]["get"]["parameters"]
    return next(p for p in params if p["name"] == name)


async def _refused_as_malformed(response) -> bool:
    if response.status != 422:
        return False
    return (await response.json())["error"]["code"] == "validation_error"


NAMES = [
    "Ada",
    "A" * 100,
    "Adaèze Ọbị",
    " Ada",
    "Ada ",
    "   ",
    "",
    "A" * 101,
    "Ada\tObi",
    "Ada\x00",
    "Ada\x85",
    "\u00a0Ada",
    "Ada\u3000",
    "\ufeffAda",
]
EMAILS = ["ada@example.com", "ADA@Example.COM", " ada@example.com", "ada@example.com\n"]
EMAILS += ["äda@example.com", "a da@example.com", "ada@example", "@example.com"]
PASSWORDS = ["        ", " correct horse ", "pass\tword", "pass\x7fword", "1234567", "x" * 129]


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", v) for v in NAMES]
    + [("email", v) for v in EMAILS]
    + [("password", v) for v in PASSWORDS],
)
async def test_register_refuses_exactly_what_its_schema_forbids(client, field, value):
    body = {"phone": PHONE, "password": PASSWORD, "name": "Ada Obi", field: value}

    response = await client.post("/api/v1/auth/register", json=body)

    assert _allows("RegisterIn", body) is not await _refused_as_malformed(response), (
        response.status,
        await response.text(),
    )


@pytest.mark.parametrize(
    "body",
    [
        {"phone": PHONE, "password": PASSWORD},
        {"email": "ada@example.com", "password": PASSWORD},
        {"phone": PHONE, "email": "ada@example.com", "password": PASSWORD},
        {"password": PASSWORD},
        {"phone": None, "email": "ada@example.com", "password": PASSWORD},
        {"phone": PHONE, "email": None, "password": PASSWORD},
        {"phone": PHONE, "password": "pass\nword"},
    ],
)
async def test_login_takes_exactly_one_of_phone_and_email_as_its_schema_says(client, body):
    response = await client.post("/api/v1/auth/login", json=body)

    assert _allows("LoginIn", body) is not await _refused_as_malformed(response)


def test_login_states_exactly_one_identifier_as_one_of():
    assert SCHEMAS["LoginIn"]["oneOf"] == [{"required": ["phone"]}, {"required": ["email"]}]


async def test_a_password_is_taken_exactly_as_typed(client):
    typed = "  correct horse 42  "
    await signup(client, password=typed)
    tokens = await (await login(client, password=typed)).json()
    await set_pin(client, tokens)

    stripped = await login(client, password=typed.strip())
    reset_stripped = await client.post(
        "/api/v1/me/pin/reset",
        json={"password": typed.strip(), "pin": "1357"},
        headers=bearer(tokens),
    )
    reset_typed = await client.post(
        "/api/v1/me/pin/reset", json={"password": typed, "pin": "1357"}, headers=bearer(tokens)
    )

    assert stripped.status == 401
    assert reset_stripped.status == 403
    assert reset_typed.status == 204


def _timestamps(value: Any, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _timestamps(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in _timestamps(v, key)]
    if isinstance(value, str) and key.endswith(("_at", "_until")):
        return [value]
    return []


async def test_every_timestamp_sent_is_rfc3339_utc_with_milliseconds_and_z(client, clock):
    registered = await client.post(
        "/api/v1/auth/register", json={"phone": PHONE, "password": PASSWORD, "name": "Ada"}
    )
    tokens = await signup(client, "08129876543")
    await set_pin(client, tokens)
    await fund(client, "08129876543", 1_000)
    body = {"service_id": "mtn", "amount": 10_000, "phone": "08129876543", "pin": PIN}
    bought = await client.post("/api/v1/purchases", json=body, headers={**bearer(tokens), **idem()})
    history = await client.get("/api/v1/transactions", headers=bearer(tokens))
    statement = await client.get("/api/v1/wallet/statement", headers=bearer(tokens))
    uid = await user_id(client, "08129876543")
    for _ in range(pins.MAX_ATTEMPTS):
        await client.app[pin_service_key].check(uid, "9999")
    locked = await client.post("/api/v1/purchases", json=body, headers={**bearer(tokens), **idem()})
    me = await client.get("/api/v1/me", headers=bearer(tokens))

    sent = [
        *_timestamps(await registered.json()),
        *_timestamps(await bought.json()),
        *_timestamps(await history.json()),
        *_timestamps(await statement.json()),
        *_timestamps(await locked.json()),
        *_timestamps(await me.json()),
    ]
    assert locked.status == 423
    assert len(sent) >= 8
    assert [t for t in sent if not TIMESTAMP.fullmatch(t)] == []


def _date_times(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        found = [(where, node)] if node.get("format") == "date-time" else []
        return found + [f for k, v in node.items() for f in _date_times(v, f"{where}/{k}")]
    if isinstance(node, list):
        return [f for i, v in enumerate(node) for f in _date_times(v, f"{where}[{i}]")]
    return []


def test_the_document_states_the_one_timestamp_format():
    sent = _date_times(SCHEMAS)

    assert sent, "no timestamps documented"
    assert [where for where, node in sent if node.get("pattern") != TIMESTAMP_PATTERN] == []


def test_date_filters_are_documented_as_a_day_or_a_timestamp():
    for name in ("created_from", "created_to"):
        schema = _parameter("/api/v1/transactions", name)["schema"]
        assert {b["format"] for b in schema["anyOf"]} == {"date", "date-time"}
        assert "Lagos" in schema["description"]


def _examples(node: Any, where: str = "") -> list[tuple[str, dict[str, Any], Any]]:
    if isinstance(node, dict):
        own = [(where, node, e) for e in node.get("examples", [])] if "type" in node else []
        return own + [f for k, v in node.items() for f in _examples(v, f"{where}/{k}")]
    if isinstance(node, list):
        return [f for i, v in enumerate(node) for f in _examples(v, f"{where}[{i}]")]
    return []


def test_every_example_satisfies_its_own_schema():
    examples = _examples(DOCUMENT)
    invalid = [
        (where, example)
        for where, node, example in examples
        if not jsonschema_rs.validator_for(
            {k: v for k, v in node.items() if k != "examples"}
        ).is_valid(example)
    ]

    assert examples
    assert invalid == []


async def test_catalogue_examples_are_real_catalogue_values(client):
    services_path = "/api/v1/catalogue/categories/{category}/services"
    category = _parameter(services_path, "category")["schema"]["examples"][0]
    service = SCHEMAS["PurchaseIn"]["properties"]["service_id"]["examples"][0]
    variation = SCHEMAS["PurchaseIn"]["properties"]["variation_code"]["anyOf"][0]["examples"][0]

    categories = await (await client.get("/api/v1/catalogue/categories")).json()
    services = await (await client.get(f"/api/v1/catalogue/categories/{category}/services")).json()
    tokens = await signup(client)
    await set_pin(client, tokens)
    await fund(client, PHONE, 5_000)
    body = {
        "service_id": service,
        "variation_code": variation,
        "customer_ref": "1111111111111",
        "amount": 100_000,
        "pin": PIN,
    }
    bought = await client.post("/api/v1/purchases", json=body, headers={**bearer(tokens), **idem()})

    assert category in {c["identifier"] for c in categories["items"]}
    assert service in {s["service_id"] for s in services["items"]}
    assert bought.status == 202, await bought.text()


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


def test_bounds_are_json_schema_keywords_a_client_and_a_fuzzer_read():
    """pydantic writes `gt`/`le` when a bound sits outside a validator: no tool reads those,
    and a fuzzer then sends `"amount": 0` as valid."""
    assert _keys(SCHEMAS) & {"gt", "ge", "lt", "le"} == set()
