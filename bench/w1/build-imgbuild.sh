#!/usr/bin/env bash
# One imgbuild build of W1 + oci-archive export (the timed unit of bench/container-w1.sh).
#   MODE cold : --no-cache (no step result reused; the base layer is already extracted, as
#               the peers' base image is already imported)
#   MODE warm : no-change rebuild from the step cache
# Usage: build-imgbuild.sh cold|warm     (env from ../shared/bench-peers/common.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
. ../shared/bench-peers/common.sh
flags=()
[[ "$1" == cold ]] && flags=(--no-cache)
exec bin/imgbuild build "${flags[@]}" -var "base_tar=$BASE_TAR" -var "data_dir=$CTX/W1/data" \
  -var "output=$OUT/imgbuild-W1.tar" bench/w1
