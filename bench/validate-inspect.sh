#!/usr/bin/env bash
# Times `imgbuild validate` and `imgbuild inspect` (median wall, peak RSS) on the corpus and a
# generated 5,000-line template. Usage: bash bench/validate-inspect.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x /usr/bin/time ]]; then
  echo "bench: installing Debian's time package for peak-memory figures"
  apt-get install -y -qq time >/dev/null
fi
npx tsc -p . >/dev/null || true   # emits even when other areas have type errors
exec node dist/bench/validate-inspect.js "${1:-5}"
