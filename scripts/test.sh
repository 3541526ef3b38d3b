#!/usr/bin/env bash
# The whole test suite, from a bare Debian 12 machine: installs what the tests need, builds,
# and runs jest. Tests start the servers they need (docker-registry) on 127.0.0.1 themselves.
# Slow artefacts (the mmdebstrap base tarball, extracted layers) are cached under
# IMGBUILD_CACHE_DIR (default ~/.cache/imgbuild) so later runs reuse them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export IMGBUILD_CACHE_DIR="${IMGBUILD_CACHE_DIR:-$HOME/.cache/imgbuild}"
mkdir -p "$IMGBUILD_CACHE_DIR"
# Lint with type-checked rules first: a lint error fails the suite like a test does.
npx eslint --max-warnings=0 .
# The layers (docs/architecture.md): an import against them or a new cycle fails the suite.
npm run --silent depcruise
# Two workers: the machines have two cores, and e2e tests are process- and I/O-bound.
exec node --experimental-vm-modules node_modules/jest/bin/jest.js --maxWorkers=2 "$@"
