#!/usr/bin/env bash
# Builds everything and runs the test suite on the committed sample of real cells.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
# The browser tests drive Debian's Chromium; Playwright must never download one.
bash scripts/install-chromium.sh
# The cluster tests start their own redis-server (Debian's) on a free loopback port.
bash scripts/install-redis.sh
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
mkdir -p artifacts
set +e
dotnet test MalariaML.sln --no-restore --nologo -c Release 2>&1 | tee artifacts/test.log
status=${PIPESTATUS[0]}
set -e
# One plain closing line that any log reader understands.
summary=$(grep -E '^(Passed|Failed)!' artifacts/test.log | tail -1)
passed=$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*Failed: *([0-9]+).*/\1/p' <<<"$summary")
skipped=$(sed -nE 's/.*Skipped: *([0-9]+).*/\1/p' <<<"$summary")
echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
