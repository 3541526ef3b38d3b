#!/usr/bin/env bash
# W1 of ../shared/bench-peers: imgbuild against buildah (overlay storage, chroot isolation,
# --layers) and the classic Docker builder, in one run on this machine. Reports median wall
# time, CPU (user+sys) and peak RSS of each, and imgbuild's ratios to the peers.
# Also: committing the 170 MB minbase tree as one layer vs `tar -c | pigz -6 | sha256sum`.
# Usage: bash bench/container-w1.sh [runs=5]     (root; installs peers on first use)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-5}
PEERS=$(cd "$ROOT/../shared/bench-peers" && pwd)
. "$PEERS/common.sh"

bash scripts/setup.sh --bench >/dev/null
bash "$PEERS/setup.sh" >/dev/null
bash "$PEERS/docker-up.sh" >/dev/null
trap 'bash "$PEERS/docker-down.sh" >/dev/null 2>&1 || true' EXIT

export IMGBUILD_CACHE_DIR=$B/imgbuild-cache SOURCE_DATE_EPOCH=1700000000 CI=true
TIMES=$B/results/imgbuild-w1
mkdir -p "$TIMES"

# One timed run: prints "wall cpu peak_kb".
timed() {
  local out=$TIMES/time.$$
  /usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >/dev/null 2>"$TIMES/last.err" || { cat "$TIMES/last.err" >&2; return 1; }
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$out"
}

median_of() { # label, command...
  local label=$1; shift
  "$@" >/dev/null 2>&1 || true   # warm-up (and first-time extraction of the base)
  : > "$TIMES/$label"
  for _ in $(seq "$RUNS"); do timed "$@" >> "$TIMES/$label"; done
  sort -n -k1 "$TIMES/$label" | awk -v n="$RUNS" -v l="$label" \
    'NR==int((n+1)/2){printf "%-34s wall %6.2f s  cpu %6.2f s  peak %7.1f MB\n", l, $1, $2, $3/1024; print $1, $2, $3 > "/dev/stderr"}' 2> "$TIMES/$label.median"
}

echo "W1 cold build + oci-archive export, median of $RUNS (lower is better)"
median_of imgbuild bash bench/w1/build-imgbuild.sh cold
median_of buildah-overlay bash "$PEERS/build-buildah.sh" overlay W1 cold
median_of docker-classic bash "$PEERS/build-docker.sh" W1 cold
median_of raw-floor bash "$PEERS/raw-w1.sh" 6

read -r iw ic im < "$TIMES/imgbuild.median"
for peer in buildah-overlay docker-classic raw-floor; do
  read -r pw pc pm < "$TIMES/$peer.median"
  awk -v a="$iw" -v b="$pw" -v c="$ic" -v d="$pc" -v e="$im" -v f="$pm" -v p="$peer" \
    'BEGIN{printf "imgbuild / %-16s wall %.2fx  cpu %.2fx  peak memory %.2fx\n", p, a/b, c/d, e/f}'
done
awk -v a="$iw" -v m="$im" 'BEGIN{
  printf "targets: wall <= 0.5x buildah: %s; peak memory < 250 MB: %s (%.0f MB)\n",
    "see ratio above", (m/1024 < 250 ? "met" : "NOT met"), m/1024 }'

echo
echo "Committing the minbase tree ($ROOTFS) as one gzip layer"
median_of pigz-floor sh -c "tar -C '$ROOTFS' -c . | pigz -6 | sha256sum"
median_of imgbuild-commit node "$ROOT/dist/bench/commit-layer.js" "$ROOTFS"
read -r cw _ _ < "$TIMES/imgbuild-commit.median"; read -r fw _ _ < "$TIMES/pigz-floor.median"
awk -v a="$cw" -v b="$fw" 'BEGIN{printf "imgbuild commit / tar|pigz -6|sha256sum: %.2fx (target <= 1.0x)\n", a/b}'
