#!/usr/bin/env bash
# Builds the example container template end to end on a fresh Debian 12 machine:
# installs what is needed, compiles imgbuild, then builds templates/debian-container.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export IMGBUILD_CACHE_DIR="${IMGBUILD_CACHE_DIR:-$HOME/.cache/imgbuild}"
exec bin/imgbuild build "${1:-templates/debian-container}"
