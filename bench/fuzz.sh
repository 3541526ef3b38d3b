#!/usr/bin/env bash
# The long fuzz run of issue 14 (see bench/fuzz.ts). Usage: bash bench/fuzz.sh [mutations] [generated] [pathological] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . >/dev/null || true   # emits even when other areas have type errors
exec node dist/bench/fuzz.js "$@"
