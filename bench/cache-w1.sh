#!/usr/bin/env bash
# Step cache on workload W1 of ../shared/bench-peers, against buildah (overlay storage,
# chroot isolation, --layers) and the classic Docker builder, in one run on this machine:
#   no-change rebuild    nothing changed since the last build (every step cached)
#   last-step-changed    one new file in the COPY'd data dir (only the last step re-runs)
# Median wall time and peak RSS of each (docker: the client's RSS; the daemon does the work),
# and imgbuild's ratios to the peers. Every tool writes its archive as in container-w1.sh
# (imgbuild and buildah an oci-archive, docker `docker save`).
# Targets: imgbuild no-change rebuild < 0.5 s wall (Node start-up and the oci-archive
# included) and <= 0.2x buildah's.
# Usage: bash bench/cache-w1.sh [runs=5]     (root; peers set up by bench-peers/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-5}
PEERS=$(cd "$ROOT/../shared/bench-peers" && pwd)
. "$PEERS/common.sh"

bash "$PEERS/setup.sh" >/dev/null
# Stop the private dockerd at the end only if this run started it (another bench may use it).
if [ -s "$B/dockerd.pid" ] && kill -0 "$(cat "$B/dockerd.pid")" 2>/dev/null; then started_docker=0; else started_docker=1; fi
bash "$PEERS/docker-up.sh" >/dev/null
trap '[ "$started_docker" = 1 ] && bash "$PEERS/docker-down.sh" >/dev/null 2>&1 || true' EXIT

export IMGBUILD_CACHE_DIR=$B/imgbuild-cache SOURCE_DATE_EPOCH=1700000000 CI=true
TIMES=$B/results/imgbuild-cache-w1
# A private copy of the W1 context: the last-step-changed runs add a file to its data dir,
# which must not disturb the shared context other benchmarks read.
MYCTX=$B/cache-w1-ctx
mkdir -p "$TIMES" "$OUT"
rm -rf "$MYCTX" && mkdir -p "$MYCTX" && cp -a "$CTX/W1/Containerfile" "$CTX/W1/data" "$MYCTX/"
IMG=localhost/bench-w1-cache

timed() { # prints "wall peak_kb"; shell functions run in a child bash (time needs a program)
  local out=$TIMES/time.$$
  if declare -F "$1" >/dev/null; then set -- bash -c '"$@"' _ "$@"; fi
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>"$TIMES/last.err" || { cat "$TIMES/last.err" >&2; return 1; }
  cat "$out"
}

median_of() { # label, command...   (one untimed warm-up run first)
  local label=$1; shift
  "$@" >/dev/null 2>&1 || true
  : > "$TIMES/$label"
  for _ in $(seq "$RUNS"); do timed "$@" >> "$TIMES/$label"; done
  sort -n -k1 "$TIMES/$label" | awk -v n="$RUNS" -v l="$label" \
    'NR==int((n+1)/2){printf "  %-30s wall %6.2f s  peak %7.1f MB\n", l, $1, $2/1024; print $1, $2 > "/dev/stderr"}' 2> "$TIMES/$label.median"
}

imgbuild_w1() { # data dir
  bin/imgbuild build -var "base_tar=$BASE_TAR" -var "data_dir=$1" -var "output=$OUT/imgbuild-cache-W1.tar" bench/w1
}
imgbuild_rewrite() { rm -f "$OUT/imgbuild-cache-W1.tar"; imgbuild_w1 "$CTX/W1/data"; }
# The last step changes on every run: one new small file in the COPY'd directory.
bump() { date +%s%N > "$MYCTX/data/zz-bench-bump"; }
imgbuild_changed() { bump; imgbuild_w1 "$MYCTX/data"; }
buildah_changed() {
  bump
  $BUILDAH_OVL bud --isolation chroot --network host --pull=false --layers -f "$MYCTX/Containerfile" -t "$IMG" "$MYCTX"
  rm -f "$OUT/buildah-cache-W1.tar"
  $BUILDAH_OVL push --quiet "$IMG" "oci-archive:$OUT/buildah-cache-W1.tar"
}
docker_changed() {
  bump
  $DOCKER build --network host -f "$MYCTX/Containerfile" -t "$IMG" "$MYCTX"
  $DOCKER save -o "$OUT/docker-cache-W1.tar" "$IMG"
}

export BASE_TAR OUT CTX MYCTX IMG BUILDAH_OVL DOCKER
export -f imgbuild_w1 imgbuild_rewrite bump imgbuild_changed buildah_changed docker_changed

echo "W1 no-change rebuild, median of $RUNS after a warm-up (lower is better)"
median_of imgbuild imgbuild_w1 "$CTX/W1/data"
median_of imgbuild-archive-rewritten imgbuild_rewrite
median_of buildah-overlay bash "$PEERS/build-buildah.sh" overlay W1 warm
median_of docker-classic bash "$PEERS/build-docker.sh" W1 warm
median_of raw-floor bash "$PEERS/raw-w1-warm.sh"
echo
echo "W1 last step changed (a new file in the COPY'd data dir), median of $RUNS"
median_of imgbuild-changed imgbuild_changed
median_of buildah-changed buildah_changed
median_of docker-changed docker_changed

ratio() { # a b label
  read -r aw am < "$TIMES/$1.median"; read -r bw bm < "$TIMES/$2.median"
  awk -v a="$aw" -v b="$bw" -v c="$am" -v d="$bm" -v l="$3" \
    'BEGIN{printf "  %-44s wall %.2fx  peak memory %.2fx\n", l, a/b, c/d}'
}
echo
echo "Ratios (imgbuild / peer)"
ratio imgbuild buildah-overlay 'no-change: imgbuild / buildah'
ratio imgbuild docker-classic 'no-change: imgbuild / docker'
ratio imgbuild raw-floor 'no-change: imgbuild / raw floor'
ratio imgbuild-archive-rewritten buildah-overlay 'no-change, archive rewritten: imgbuild / buildah'
ratio imgbuild-changed buildah-changed 'last step changed: imgbuild / buildah'
ratio imgbuild-changed docker-changed 'last step changed: imgbuild / docker'
# Judged on both no-change cases: with the archive kept (nothing to write) and with it
# rewritten (the whole archive written again), the stricter reading of "writing the oci-archive".
for case in imgbuild imgbuild-archive-rewritten; do
  read -r iw _ < "$TIMES/$case.median"; read -r bw _ < "$TIMES/buildah-overlay.median"
  awk -v a="$iw" -v b="$bw" -v l="$case" 'BEGIN{printf "targets (%s): no-change < 0.5 s: %s (%.2f s); <= 0.2x buildah: %s (%.2fx)\n",
    l, (a < 0.5 ? "met" : "NOT met"), a, (a/b <= 0.2 ? "met" : "NOT met"), a/b}'
done
