#!/usr/bin/env bash
# `npm test`: brings what the tests need beyond npm, builds the CLI, runs every test once, and
# ends with vitest's summary and a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
[ -x node_modules/.bin/vitest ] || npm ci
node scripts/build.mjs

report="$(mktemp -t iiot-vitest-XXXXXX.json)"
status=0
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""))
' "$report" 2>/dev/null || true
rm -f "$report"
exit "$status"
