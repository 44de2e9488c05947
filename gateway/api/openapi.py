"""Declaring operations once: the route, its validation, its auth and its OpenAPI 3.1 entry.

A view is a plain `async def` decorated with `ops.route(...)`. What it takes is read from its
parameters by name and type: `body: Model`, `query: Model`, `path: Model` (pydantic models,
validated before the view runs), `principal: Principal` (a bearer token is required; `role`
narrows who), `idempotency_key: str` (a required `Idempotency-Key` header). What it returns is
declared in `responses` ({status: model}); the wrapper refuses to send anything undeclared.
`build_document` turns the same declarations and pydantic's JSON schemas into the document
served at `/api/schema`, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from gateway.api.errors import ApiError, ValidationFailed

Handler = Callable[..., Awaitable[Any]]
JSON_MEDIA = "application/json"
MAX_BODY_BYTES = 64 * 1024  # the largest valid request is well under 2 KiB
MAX_JSON_DEPTH = 20  # every valid body is one flat object; deeper is an attack or a bug
IDEMPOTENCY_HEADER = "Idempotency-Key"
ERROR_SCHEMA = "ErrorResponse"

_ERROR_TEXT = {
    400: "The body is not a JSON object.",
    401: "No valid access token (missing, malformed, expired or revoked), or the account is "
    "suspended or closed (`account_inactive`).",
    403: "Authenticated, but not allowed.",
    404: "No such resource, or not yours.",
    409: "Conflicts with an earlier request.",
    413: "The body is larger than 64 KiB.",
    422: "`validation_error`: the request breaks this document's schema (`details.fields` lists "
    "each problem); a request the schema allows never gets it. Any other code is a well-formed "
    "request refused for what it asks (e.g. `invalid_code`, `weak_pin`, `price_mismatch`, "
    "`current_pin_required`), as the operation describes.",
    423: "The PIN is locked after wrong PINs: `details.locked_until` says until when, or is "
    "null with `details.reset_required` true (reset at `POST /api/v1/me/pin/reset`).",
    429: "Too many attempts; retry after `Retry-After` seconds.",
    502: "The payment provider gave an unexpected answer.",
    503: "The payment provider is unavailable; retry shortly.",
}


class MalformedBody(ApiError):
    status = 400
    code = "invalid_json"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


@dataclass(frozen=True, slots=True)
class HttpReply:
    """A response other than the operation's default status, or with extra headers."""

    model: BaseModel | None
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    handler: Handler
    operation_id: str
    summary: str
    description: str
    tag: str
    role: str | None
    principal_param: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    path_params: type[BaseModel] | None
    idempotency_key: bool
    responses: Mapping[int, type[BaseModel] | None]
    errors: tuple[int, ...]

    @property
    def default_status(self) -> int:
        return min(status for status in self.responses if status < 300)


Authenticate = Callable[[web.Request, str], Awaitable[Any]]


class Operations:
    """The operations of one area (one OpenAPI tag), registered on the app by `routes.py`."""

    def __init__(self, tag: str, description: str = "", *, role: str | None = None) -> None:
        self.tag = tag
        self.description = description
        self.role = role  # the role every route of the area needs, unless a route names its own
        self.operations: list[Operation] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        responses: Mapping[int, type[BaseModel] | None],
        role: str | None = None,
        errors: Iterable[int] = (),
        operation_id: str | None = None,
    ) -> Callable[[Handler], Handler]:
        role = role or self.role

        def register(handler: Handler) -> Handler:
            hints = typing.get_type_hints(handler)
            names = set(inspect.signature(handler).parameters)
            # `_principal`: the view needs a logged-in caller but not who it is
            principal_name = next((n for n in ("principal", "_principal") if n in names), None)
            needs_auth = principal_name is not None
            if role is not None and not needs_auth:
                raise TypeError(f"{handler.__name__}: `role` needs a `principal` parameter")
            self.operations.append(
                Operation(
                    method=method,
                    path=path,
                    handler=handler,
                    operation_id=operation_id or handler.__name__,
                    summary=summary,
                    description=inspect.cleandoc(handler.__doc__ or ""),
                    tag=self.tag,
                    role=(role or "user") if needs_auth else None,
                    principal_param=principal_name or "principal",
                    body=_model(hints, "body"),
                    query=_model(hints, "query"),
                    path_params=_model(hints, "path"),
                    idempotency_key="idempotency_key" in names,
                    responses=dict(responses),
                    errors=tuple(errors),
                )
            )
            return handler

        return register


def _model(hints: Mapping[str, Any], name: str) -> type[BaseModel] | None:
    hint = hints.get(name)
    if hint is None:
        return None
    if not (isinstance(hint, type) and issubclass(hint, BaseModel)):
        raise TypeError(f"parameter {name!r} must be annotated with a pydantic model")
    return hint


# -- serving ---------------------------------------------------------------------------------


def _fields(error: ValidationError, where: str) -> list[dict[str, str]]:
    # never `input`: it could be a password or a PIN
    return [
        {
            "field": ".".join([where, *(str(part) for part in item["loc"])]),
            "message": item["msg"],
            "type": item["type"],
        }
        for item in error.errors(include_url=False, include_input=False, include_context=False)
    ]


def _validate(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            f"the request {where} is not valid", details={"fields": _fields(exc, where)}
        ) from None


async def read_json(request: web.Request, limit: int = MAX_BODY_BYTES) -> Any:
    """The body as JSON, refusing more than `limit` bytes before reading them all.

    Raises:
        PayloadTooLarge: declared or streamed size over `limit`. MalformedBody: no/bad JSON,
            or nested deeper than `MAX_JSON_DEPTH`.
    """
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body must be at most {limit} bytes")
    data = bytearray()
    async for chunk in request.content.iter_chunked(16 * 1024):
        data += chunk
        if len(data) > limit:
            raise PayloadTooLarge(f"the body must be at most {limit} bytes")
    if not data.strip():
        raise MalformedBody("a JSON object body is required")
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise MalformedBody("the body is not valid JSON") from None
    except RecursionError:  # `[[[[…` 64 KiB deep: the parser runs out of stack, not a 500
        raise _too_deep() from None
    if _deeper_than(parsed, MAX_JSON_DEPTH):
        raise _too_deep()
    return parsed


def _too_deep() -> MalformedBody:
    return MalformedBody(f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep")


def _deeper_than(value: Any, limit: int) -> bool:
    """True when arrays/objects nest more than `limit` levels; iterative, so no recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return False


def _render(op: Operation, result: Any) -> web.StreamResponse:
    if isinstance(result, web.StreamResponse):
        return result
    reply = result if isinstance(result, HttpReply) else HttpReply(result, op.default_status)
    declared = op.responses.get(reply.status, ...)
    actual = None if reply.model is None else type(reply.model)
    if declared is ... or declared is not actual:
        raise TypeError(f"{op.operation_id} returned {actual} as {reply.status}, not declared")
    if reply.model is None:
        return web.Response(status=reply.status, headers=dict(reply.headers))
    body = reply.model.model_dump(mode="json", by_alias=True)
    return web.json_response(body, status=reply.status, headers=dict(reply.headers))


def make_view(
    op: Operation, authenticate: Authenticate
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler for `op`: auth first (401 before 422), then path, query, body."""

    async def view(request: web.Request) -> web.StreamResponse:
        kwargs: dict[str, Any] = {}
        if op.role is not None:
            kwargs[op.principal_param] = await authenticate(request, op.role)
        if op.path_params is not None:
            kwargs["path"] = _validate(op.path_params, dict(request.match_info), "path")
        if op.query is not None:
            kwargs["query"] = _validate(op.query, dict(request.query), "query")
        if op.idempotency_key:
            kwargs["idempotency_key"] = _idempotency_key(request)
        if op.body is not None:
            kwargs["body"] = _validate(op.body, await read_json(request), "body")
        return _render(op, await op.handler(request, **kwargs))

    view.__name__ = op.operation_id
    return view


def _idempotency_key(request: web.Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not 8 <= len(key) <= 128 or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            f"an {IDEMPOTENCY_HEADER} header of 8 to 128 printable ASCII characters is required",
            details={
                "fields": [
                    {
                        "field": f"header.{IDEMPOTENCY_HEADER}",
                        "message": "required: 8 to 128 printable ASCII characters",
                        "type": "missing" if not key else "string_pattern_mismatch",
                    }
                ]
            },
        )
    return key


# -- the document ----------------------------------------------------------------------------

IDEMPOTENCY_PATTERN = "^[\\x21-\\x7e][\\x20-\\x7e]{6,126}[\\x21-\\x7e]$"


def _ref_name(ref: Mapping[str, Any]) -> str:
    return str(ref["$ref"]).rsplit("/", 1)[-1]


def _without_null(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A parameter's schema minus the `null` branch pydantic adds for optional fields."""
    out = dict(schema)
    branches = out.get("anyOf")
    if isinstance(branches, list):
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1:
            out.pop("anyOf")
            out.update(kept[0])
        else:
            out["anyOf"] = kept
    if out.get("default") is None:
        out.pop("default", None)
    return out


def _parameters(
    where: str, defs: Mapping[str, Any], ref: Mapping[str, Any]
) -> list[dict[str, Any]]:
    schema = defs[_ref_name(ref)]
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema.get("properties", {}).items():
        entry: dict[str, Any] = {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
            "schema": _without_null(prop),
        }
        if "description" in prop:
            entry["description"] = prop["description"]
        params.append(entry)
    return params


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _ERROR_TEXT.get(status, "Error."),
        "content": {JSON_MEDIA: {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait.",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    elif status == 401:
        response["headers"] = {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}}
    return response


def _error_statuses(op: Operation) -> list[int]:
    statuses = set(op.errors)
    if op.role is not None:
        statuses.add(401)
        if op.role != "user":
            statuses.add(403)
    if op.body is not None:
        statuses |= {400, 413, 422}
    if op.query is not None or op.path_params is not None or op.idempotency_key:
        statuses.add(422)
    if op.path_params is not None:
        statuses.add(404)
    return sorted(statuses - set(op.responses))


def build_document(
    groups: Iterable[Operations],
    *,
    title: str,
    version: str,
    description: str,
    error_model: type[BaseModel],
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every operation of `groups`."""
    groups = list(groups)
    operations = [op for group in groups for op in group.operations]
    wanted: list[tuple[type[BaseModel], Any]] = [(error_model, "serialization")]
    for op in operations:
        for model in (op.body, op.query, op.path_params):
            if model is not None:
                wanted.append((model, "validation"))
        wanted += [(m, "serialization") for m in op.responses.values() if m is not None]
    refs, top = models_json_schema(
        list(dict.fromkeys(wanted)), ref_template="#/components/schemas/{model}"
    )
    defs: dict[str, Any] = dict(top.get("$defs", {}))
    parameter_models = {
        _ref_name(refs[(m, "validation")])
        for op in operations
        for m in (op.query, op.path_params)
        if m is not None
    }
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        entry: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "security": [{"bearerAuth": []}] if op.role is not None else [],
        }
        if op.description:
            entry["description"] = op.description
        if op.role not in (None, "user"):
            entry["description"] = (
                entry.get("description", "") + f"\n\nRequires the `{op.role}` role or higher."
            ).strip()
        params: list[dict[str, Any]] = []
        if op.path_params is not None:
            params += _parameters("path", defs, refs[(op.path_params, "validation")])
        if op.query is not None:
            params += _parameters("query", defs, refs[(op.query, "validation")])
        if op.idempotency_key:
            params.append(
                {
                    "name": IDEMPOTENCY_HEADER,
                    "in": "header",
                    "required": True,
                    "description": "A client-chosen unique key per purchase (e.g. a UUID). "
                    "Retrying with the same key and body returns the same purchase; the same "
                    "key with another body is 409.",
                    "schema": {
                        "type": "string",
                        "minLength": 8,
                        "maxLength": 128,
                        "pattern": IDEMPOTENCY_PATTERN,
                    },
                }
            )
        if params:
            entry["parameters"] = params
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {JSON_MEDIA: {"schema": refs[(op.body, "validation")]}},
            }
        responses: dict[str, Any] = {}
        for status, model in sorted(op.responses.items()):
            text = {200: "OK.", 201: "Created.", 202: "Accepted.", 204: "No content."}
            response: dict[str, Any] = {"description": text.get(status, "OK.")}
            if model is not None:
                response["content"] = {JSON_MEDIA: {"schema": refs[(model, "serialization")]}}
            responses[str(status)] = response
        for status in _error_statuses(op):
            responses[str(status)] = _error_response(status)
        entry["responses"] = responses
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    for name in parameter_models:
        defs.pop(name, None)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "tags": [{"name": g.tag, "description": g.description} for g in groups],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
