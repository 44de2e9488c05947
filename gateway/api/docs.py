"""`/api/schema` (the generated OpenAPI 3.1 document) and `/api/docs` (Swagger UI).

Swagger UI 5 (the first major version that renders OpenAPI 3.1) is vendored unmodified from
the `swagger-ui-dist` npm package under `static/swagger-ui/` and served from the package:
the machines are offline, so no CDN. The page allows only its own scripts (no inline ones).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

STATIC = Path(__file__).resolve().parent / "static"
_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>PayLink API</title>
  <link rel="icon" href="/api/docs/static/swagger-ui/favicon-32x32.png">
  <link rel="stylesheet" href="/api/docs/static/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/static/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/api/docs/static/paylink-docs.js"></script>
</body>
</html>
"""
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


def setup_docs_routes(app: web.Application, document: dict[str, Any]) -> None:
    """Serve `document` at `/api/schema` and the docs page with its assets."""

    async def schema(_request: web.Request) -> web.Response:
        return web.json_response(document, headers={"Cache-Control": "no-cache"})

    async def docs(_request: web.Request) -> web.Response:
        return web.Response(
            text=_PAGE,
            content_type="text/html",
            headers={"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"},
        )

    app.router.add_get("/api/schema", schema)
    app.router.add_get("/api/docs", docs)
    app.router.add_static("/api/docs/static", STATIC)
