"""The edges of HTTP: unknown routes, wrong methods, bodies too big or broken, CORS, docs.

Every `/api` answer is in the one error shape; other routes keep their own formats.
"""

from __future__ import annotations

import pytest

from gateway.api.openapi import MAX_BODY_BYTES
from tests.api.helpers import PHONE, bearer, signup


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
    response = await client.get("/nope")
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
