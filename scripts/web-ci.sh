#!/usr/bin/env bash
# The web app's CI steps (issue 17), run by .ci/run after the Python suite: install Debian's
# chromium if missing, `npm ci`, the API types and the committed build must be current, Vitest,
# the first-load budget, then the browser tests against a real `paylink serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi

cd web
npm ci --no-audit --no-fund
npm run schema:check  # openapi.json and src/api/schema.d.ts match the API's document
npm run build
# the committed build must be exactly the fresh one: a fresh clone serves it without Node
if ! git diff --quiet --exit-code -- ../gateway/web/dist \
    || [ -n "$(git ls-files --others --exclude-standard -- ../gateway/web/dist)" ]; then
    git status --short -- ../gateway/web/dist
    echo "ci: gateway/web/dist is stale: run \`npm run build\` in web/ and commit it" >&2
    exit 1
fi
npm test
npm run size  # at most 200 KB of gzipped JavaScript on the first load
npx playwright test  # screenshots land in web/artifacts/screens/
