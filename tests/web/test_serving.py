"""`paylink serve` serves the committed web app at `/`: cache rules, security headers, and
client-side routes that never shadow the gateway's own routes."""

from __future__ import annotations

import re

import pytest

from gateway.web.serve import DIST, WebApp


def built_asset(suffix: str) -> str:
    return next(p.name for p in (DIST / "assets").iterdir() if p.name.endswith(suffix))


async def test_the_app_is_served_at_the_root_and_revalidated_on_every_load(embedded):
    response = await embedded.get("/")

    assert response.status == 200
    assert response.content_type == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"
    assert '<div id="root">' in await response.text()


async def test_the_page_carries_a_content_security_policy_without_inline_script(embedded):
    headers = (await embedded.get("/")).headers

    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"


async def test_the_page_has_no_inline_script_for_the_policy_to_block(embedded):
    page = await (await embedded.get("/")).text()

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts
    assert all('src="/assets/' in attrs and not body.strip() for attrs, body in scripts)


async def test_hashed_assets_are_cached_for_good(embedded):
    response = await embedded.get(f"/assets/{built_asset('.js')}")

    assert response.status == 200
    assert response.content_type == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


async def test_assets_are_compressed_for_browsers_that_accept_it(embedded):
    response = await embedded.get(
        f"/assets/{built_asset('.js')}", headers={"Accept-Encoding": "gzip"}
    )

    assert response.headers["Content-Encoding"] == "gzip"


async def test_an_unknown_asset_is_404_not_the_page(embedded):
    response = await embedded.get("/assets/index-nothere.js")

    assert response.status == 404
    assert response.content_type != "text/html"


@pytest.mark.parametrize(
    "path", ["/history", "/purchases/12", "/buy/electricity-bill/ikeja-electric"]
)
async def test_client_side_routes_fall_back_to_the_page(embedded, path):
    response = await embedded.get(path)

    assert response.status == 200
    assert response.content_type == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"


async def test_a_file_name_that_is_not_built_is_404(embedded):
    assert (await embedded.get("/robots.txt")).status == 404


async def test_an_unknown_api_path_stays_the_apis_json_404(embedded):
    response = await embedded.get("/api/v1/nothing-here")

    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"


async def test_a_get_on_a_post_only_api_route_stays_405(embedded):
    response = await embedded.get("/api/v1/auth/login")

    assert response.status == 405


@pytest.mark.parametrize(
    "path",
    ["/ussd/africastalking", "/sms/anything", "/telegram/x", "/webhooks/vtpass/x", "/demo/x"],
)
async def test_gateway_route_prefixes_never_fall_back_to_the_page(embedded, path):
    response = await embedded.get(path)

    assert response.status in (404, 405)
    assert response.content_type != "text/html"


async def test_health_and_metrics_keep_their_answers(embedded):
    assert (await (await embedded.get("/healthz")).json())["status"] == "ok"
    assert (await embedded.get("/metrics")).content_type == "text/plain"


async def test_the_production_shape_serves_the_app_too(production):
    assert (await production.get("/")).status == 200


def test_a_missing_build_answers_404_instead_of_failing_to_start(tmp_path):
    app_files = WebApp(tmp_path)

    assert app_files.index is None
    assert app_files.assets == {}


def test_the_committed_build_names_only_files_it_ships():
    page = (DIST / "index.html").read_text()

    named = re.findall(r'(?:src|href)="/assets/([^"]+)"', page)
    assert named
    assert all((DIST / "assets" / name).is_file() for name in named)
