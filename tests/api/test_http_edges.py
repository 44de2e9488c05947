"""The edges of HTTP: unknown routes, wrong methods, bodies too big or broken, CORS, docs.

Every `/api` answer is in the one error shape; other routes keep their own formats.
"""

from __future__ import annotations

import pytest

from gateway.api.openapi import MAX_BODY_BYTES, MAX_JSON_DEPTH
from gateway.api.routes import GROUPS
from gateway.keys import db_key
from tests.api.helpers import (
    OTHER_PHONE,
    PHONE,
    airtime,
    bearer,
    idem,
    login,
    ready_buyer,
    register,
    set_role,
    signup,
    sms_code,
    verify,
)


def _is_error_shape(body: dict) -> bool:
    return set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}


async def test_unknown_api_paths_are_404_in_the_error_shape(client):
    response = await client.get("/api/v1/nope")
    assert response.status == 404
    assert _is_error_shape(await response.json())


async def test_a_wrong_method_is_405_with_allow(client):
    response = await client.delete("/api/v1/auth/login")
    assert response.status == 405
    assert "POST" in response.headers["Allow"]
    body = await response.json()
    assert body["error"]["code"] == "method_not_allowed"


async def test_non_api_routes_keep_their_own_errors(client):
    # (any other unknown path may be one of the web app's pages: tests/web/test_serving.py)
    response = await client.get("/ussd/nope")
    assert response.status == 404
    assert response.content_type != "application/json"


async def test_an_oversized_body_is_413_declared_or_streamed(client):
    big = b'{"phone": "' + b"0" * (MAX_BODY_BYTES + 10) + b'"}'
    declared = await client.post(
        "/api/v1/auth/login", data=big, headers={"Content-Type": "application/json"}
    )

    async def chunks():
        for _ in range(10):
            yield b" " * (MAX_BODY_BYTES // 4)

    streamed = await client.post(
        "/api/v1/auth/login", data=chunks(), headers={"Content-Type": "application/json"}
    )

    for response in (declared, streamed):
        assert response.status == 413
        body = await response.json()
        assert body["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("raw", [b"", b"{", b"not json", b"\xff\xfe"])
async def test_missing_or_malformed_json_is_400(client, raw):
    response = await client.post(
        "/api/v1/auth/login", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_json"


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"phone": PHONE},
        {"phone": "12345", "password": "x"},
        {"phone": PHONE, "password": "x", "extra": 1},
    ],
)
async def test_bodies_that_do_not_validate_are_422_with_fields(client, body):
    response = await client.post("/api/v1/auth/login", json=body)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["fields"]
    assert all(f["field"].startswith("body") for f in error["details"]["fields"])


async def test_validation_errors_never_echo_the_password(client):
    response = await client.post(
        "/api/v1/auth/register",
        json={"phone": "bad", "password": "s3cret", "name": "A"},
    )
    assert response.status == 422
    assert "s3cret" not in await response.text()


async def test_cors_preflight_for_an_allowed_origin(client):
    response = await client.options(
        "/api/v1/purchases",
        headers={
            "Origin": "https://app.paylink.ng",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Idempotency-Key",
        },
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.paylink.ng"
    assert "Idempotency-Key" in response.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_cors_refuses_other_origins(client):
    preflight = await client.options(
        "/api/v1/purchases",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    simple = await client.get(
        "/api/v1/catalogue/categories", headers={"Origin": "https://evil.example"}
    )
    assert preflight.status == 403
    assert "Access-Control-Allow-Origin" not in simple.headers


async def test_cors_headers_ride_on_errors_too(client):
    response = await client.get("/api/v1/me", headers={"Origin": "https://app.paylink.ng"})
    assert response.status == 401
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.paylink.ng"
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


async def test_the_schema_is_openapi_3_1_and_covers_every_api_route(client):
    response = await client.get("/api/schema")
    document = await response.json()

    assert document["openapi"] == "3.1.0"
    served = {
        (route.method, route.resource.canonical)
        for route in client.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/v1/")
        and route.method != "HEAD"
    }
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert served == documented
    purchase = document["paths"]["/api/v1/purchases"]["post"]
    assert purchase["security"] == [{"bearerAuth": []}]
    assert {p["name"] for p in purchase["parameters"]} == {"Idempotency-Key"}
    assert {"202", "401", "409", "413", "422", "423"} <= set(purchase["responses"])
    assert document["paths"]["/api/v1/auth/login"]["post"]["security"] == []


async def test_docs_are_served_from_the_package(client):
    page = await client.get("/api/docs")
    bundle = await client.get("/api/docs/static/swagger-ui/swagger-ui-bundle.js")
    init = await client.get("/api/docs/static/paylink-docs.js")

    assert page.status == bundle.status == init.status == 200
    html = await page.text()
    assert "/api/docs/static/swagger-ui/swagger-ui-bundle.js" in html
    assert "http" not in html.replace("http-equiv", "")  # nothing from a CDN
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "/api/schema" in await init.text()


async def test_the_profile_never_shows_secrets(client):
    tokens = await signup(client)
    text = await (await client.get("/api/v1/me", headers=bearer(tokens))).text()
    for secret in ("password", "pin_hash", "argon2"):
        assert secret not in text


async def test_anything_unexpected_is_a_logged_bare_500(aiohttp_client, caplog):
    from aiohttp import web

    from gateway.api.middleware import error_middleware

    async def boom(_request):
        raise RuntimeError("secret internals")

    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/api/boom", boom)
    client = await aiohttp_client(app)

    response = await client.get("/api/boom")

    assert response.status == 500
    assert await response.json() == {
        "error": {"code": "internal_error", "message": "internal server error", "details": {}}
    }
    assert "secret internals" in caplog.text  # in the log, not in the answer


# -- hostile JSON: nesting and integers that are not integers -----------------------------------


def _nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 3_000, 10_000])  # 3,000: past the stack
async def test_deeply_nested_json_is_400_never_500(client, kind, depth):
    body = _nested(depth, kind)
    assert len(body) <= MAX_BODY_BYTES
    response = await client.post(
        "/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    error = await response.json()
    assert _is_error_shape(error)
    assert error["error"]["code"] == "invalid_json"


async def test_nesting_hidden_inside_a_field_is_400(client):
    inner = b"[" * 5_000 + b"]" * 5_000
    response = await client.post(
        "/api/v1/auth/login",
        data=b'{"phone": ' + inner + b', "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_json"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", True),
        ("amount", "50000"),
        ("amount", 50000.5),
        ("amount", 50000.0),
        ("quantity", True),
        ("quantity", "1"),
        ("quantity", 1.5),
        ("quantity", 1.0),
    ],
)
async def test_integer_fields_of_a_purchase_refuse_lookalikes(client, field, value):
    tokens = await ready_buyer(client)
    response = await client.post(
        "/api/v1/purchases",
        json=airtime(500, **{field: value}),
        headers={**bearer(tokens), **idem()},
    )
    assert response.status == 422, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == "validation_error"
    assert [f["field"] for f in error["details"]["fields"]] == [f"body.{field}"]
    history = await (await client.get("/api/v1/transactions", headers=bearer(tokens))).json()
    assert history["total"] == 0


@pytest.mark.parametrize("amount", [True, "100000", 100000.5, 100000.0])
async def test_an_operator_credit_amount_must_be_a_json_integer(client, amount):
    await signup(client, OTHER_PHONE)
    await set_role(client, OTHER_PHONE, "operator")
    operator = await (await login(client, OTHER_PHONE)).json()
    response = await client.post(
        "/api/v1/operator/wallet-credits",
        json={"phone": PHONE, "amount": amount, "reference": "strict-1"},
        headers=bearer(operator),
    )
    assert response.status == 422, await response.text()
    assert _is_error_shape(await response.json())


def _integer_fields(model) -> list[str]:
    schema = model.model_json_schema()
    found = []
    for name, prop in schema.get("properties", {}).items():
        branches = prop.get("anyOf", [prop])
        if any(branch.get("type") == "integer" for branch in branches):
            found.append(name)
    return found


def test_every_integer_in_every_request_body_is_strict():
    """A new body field typed plain `int` would read `true` as 1: this names it."""
    bodies = {op.body for group in GROUPS for op in group.operations if op.body is not None}
    checked = []
    for model in bodies:
        for name in _integer_fields(model):
            for lookalike in (True, "10", 10.5, 10.0):
                errors = []
                try:
                    model.model_validate({name: lookalike})
                except Exception as exc:  # pydantic's ValidationError
                    errors = [e for e in exc.errors() if e["loc"][:1] == (name,)]
                assert errors, f"{model.__name__}.{name} accepted {lookalike!r}"
            checked.append(f"{model.__name__}.{name}")
    assert "PurchaseIn.amount" in checked
    assert "PurchaseIn.quantity" in checked
    assert "CreditIn.amount" in checked


# -- headers on every answer ---------------------------------------------------------------------


async def test_token_responses_are_never_cached(client):
    registered = await register(client)
    code = await sms_code(client.app[db_key], PHONE)
    verified = await verify(client, PHONE, code, (await registered.json())["registration_id"])
    logged_in = await login(client)
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": (await logged_in.json())["refresh_token"]}
    )
    for response in (verified, logged_in, refreshed):
        assert response.status == 200, await response.text()
        assert "access_token" in await response.json()
        assert response.headers["Cache-Control"] == "no-store"
    refused = await login(client, password="wrong password")
    assert refused.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("GET", "/nope"),
        ("GET", "/api/v1/nope"),
        ("POST", "/api/v1/auth/login"),
        ("GET", "/api/schema"),
        ("POST", "/ussd/africastalking"),
        ("POST", "/webhooks/vtpass/not-the-token"),
    ],
)
async def test_every_answer_says_nosniff_and_names_no_server_version(client, method, path):
    response = await client.request(method, path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    server = response.headers.get("Server", "")
    assert "aiohttp" not in server.lower()
    assert "python" not in server.lower()
    assert not any(ch.isdigit() for ch in server)
