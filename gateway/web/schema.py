"""`python -m gateway.web.schema`: the API's OpenAPI document on stdout, as `web/` types it.

The web app's API client is typed from this output (`npm run schema` in `web/`), and a test
compares the committed `web/openapi.json` with it, so the app and the API cannot drift apart
unnoticed, with or without Node on the machine.
"""

from __future__ import annotations

import json
import sys

from gateway.api.routes import build_api_document


def document_text() -> str:
    """The document as committed: sorted keys, two-space indent, UTF-8, a final newline."""
    return json.dumps(build_api_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(document_text())
