"""Serving the built web app at `/`: files from memory, cache rules, security headers, and
client-side routes falling back to `index.html`.

The build (`web/` -> `gateway/web/dist/`) is committed, so a fresh clone serves the app with
no Node. Asset names carry a content hash, so they are cached for good (`immutable`);
`index.html` names the current ones, so it is revalidated on every load (`no-cache`). Paths
that belong to the gateway's other routes never fall back to the app: an unknown `/api/...`
stays the API's JSON 404, and the callbacks keep their own answers.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from aiohttp import web

DIST = Path(__file__).resolve().parent / "dist"
RESERVED_PREFIXES = (
    "/api",
    "/ussd",
    "/sms",
    "/telegram",
    "/webhooks",
    "/metrics",
    "/healthz",
    "/readyz",
    "/health",
    "/demo",
    "/__sim",
)
# The app's own files only: no inline script or style, no other origin, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str


class WebApp:
    """The build read once at start-up: a fixed set of files, so no path reaches the disk."""

    def __init__(self, dist: Path = DIST) -> None:
        index = dist / "index.html"
        self.index: bytes | None = index.read_bytes() if index.is_file() else None
        self.assets: dict[str, Asset] = {}
        assets = dist / "assets"
        if assets.is_dir():
            for path in sorted(assets.iterdir()):
                if path.is_file():
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    self.assets[path.name] = Asset(path.read_bytes(), kind)

    def page(self) -> web.Response:
        if self.index is None:
            raise web.HTTPNotFound(text="the web app is not built (npm run build in web/)")
        response = web.Response(
            body=self.index,
            content_type="text/html",
            charset="utf-8",
            headers={**PAGE_HEADERS, "Cache-Control": "no-cache"},
        )
        response.enable_compression()
        return response

    def asset(self, name: str) -> web.Response:
        found = self.assets.get(name)
        if found is None:
            raise web.HTTPNotFound()
        response = web.Response(
            body=found.body,
            content_type=found.content_type,
            headers={**PAGE_HEADERS, "Cache-Control": IMMUTABLE},
        )
        response.enable_compression()
        return response


@cache
def bundled_app() -> WebApp:
    """The packaged build, read once per process (every test app shares it)."""
    return WebApp(DIST)


def is_app_route(path: str) -> bool:
    """A path the app's client-side router may own: not a gateway route, not a file name."""
    if any(path == p or path.startswith(p + "/") for p in RESERVED_PREFIXES):
        return False
    return "." not in path.rsplit("/", 1)[-1]


def client_route_page(app_files: WebApp, request: web.Request) -> web.Response | None:
    """`index.html` for a GET no route matched when its path is a client-side route, else None
    (the 404 stands). Called by `gateway.edge`."""
    if request.method in ("GET", "HEAD") and is_app_route(request.path):
        return app_files.page()
    return None


def setup_web_routes(app: web.Application, app_files: WebApp) -> None:
    """`/` and `/assets/{name}`; the app's edge middleware serves its client-side routes."""

    async def index(_request: web.Request) -> web.Response:
        return app_files.page()

    async def asset(request: web.Request) -> web.Response:
        return app_files.asset(request.match_info["name"])

    app.router.add_get("/", index)
    app.router.add_get("/assets/{name}", asset)
