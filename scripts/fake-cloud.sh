#!/usr/bin/env bash
# Starts a local cloud on 127.0.0.1 for tests and for trying templates by hand, prints the
# `export` lines that point the AWS SDK (and imgbuild) at it once it is ready, and runs
# until SIGTERM/SIGINT, stopping every VM it started.
#
#   scripts/fake-cloud.sh aws [--port N] [--state-dir DIR] [--no-seeds]
#
#   eval "$(scripts/fake-cloud.sh aws --port 4566 & sleep 1; ...)"   # see test/fakes/README.md
#
# The first start builds the seed disk with imgbuild (minutes; needs root) and caches it
# under $IMGBUILD_CACHE_DIR/fake-clouds/.
set -euo pipefail
cd "$(dirname "$0")/.."

cloud="${1:-}"
shift || true
case "$cloud" in
  aws) main=dist/test/fakes/ec2/main.js ;;
  *)
    echo "usage: scripts/fake-cloud.sh aws [--port N] [--state-dir DIR] [--no-seeds]" >&2
    exit 2
    ;;
esac
if [[ ! -f "$main" ]]; then
  npm run --silent build
fi
exec node "$main" "$@"
