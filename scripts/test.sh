#!/usr/bin/env bash
# `npm test`: brings what the tests need beyond npm, builds the CLI, runs every test once.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
[ -x node_modules/.bin/vitest ] || npm ci
node scripts/build.mjs
exec node_modules/.bin/vitest run "$@"
