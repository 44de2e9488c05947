"""The web app's API client is typed from `web/openapi.json`: it must be the API's document."""

from __future__ import annotations

from pathlib import Path

from gateway.web.schema import document_text

SNAPSHOT = Path(__file__).resolve().parents[2] / "web" / "openapi.json"


def test_the_web_apps_copy_of_the_api_document_is_current():
    assert SNAPSHOT.read_text(encoding="utf-8") == document_text(), (
        "web/openapi.json is stale: run `npm run schema` in web/ (or "
        "`python -m gateway.web.schema > web/openapi.json` without Node, then regenerate "
        "web/src/api/schema.d.ts with Node before committing)"
    )
