#!/usr/bin/env bash
# Disk export overhead (issue 5): imgbuild (rootfs -> bootable raw disk -> qcow2 /
# streamOptimized VMDK / OVA) against the same tools run by hand on the same rootfs; the
# target is under 20% overhead per stage.
#
# What each side does, stage by stage:
#   rootfs -> raw   by hand: `truncate` + `mke2fs -t ext4 -d rootfs` into the root partition's
#                   offset of a file the size of imgbuild's disk, and nothing else: no partition
#                   table, no ESP, no boot loader, no fstab, the tree's atimes and ctimes copied
#                   as they are (so the disk neither boots nor comes out the same twice). This
#                   is the strict comparison: the one tool imgbuild cannot do without.
#                   imgbuild: rootfsToRawDisk() as the disk/ova/vmware post-processors call it:
#                   metadata walk of the tree (fingerprint -> GPT GUIDs, ext4 UUID and hash seed,
#                   FAT id; size), overlay mount adding /etc/fstab (root by UUID), mke2fs -d
#                   (own mke2fs.conf; UUID, hash seed and times fixed), in parallel a GPT, a FAT32 ESP
#                   (mkfs.vfat + mcopy) and two grub-mkimage runs (BIOS core.img + boot.img in
#                   the MBR, BOOTX64.EFI), then ext4 atimes/ctimes set to SOURCE_DATE_EPOCH, fsync,
#                   rename. When its walk found the tree's metadata uncached, imgbuild also reads
#                   the files ahead of mke2fs, four at a time, while mke2fs runs
#                   (src/disk/prefetch.ts); a cold page cache rewards that, which is why the
#                   warm-cache rounds at the end (no read-ahead then) are reported too.
#   raw -> qcow2    both: `qemu-img convert -O qcow2`; imgbuild adds nothing to rewrite.
#   raw -> vmdk     both: `qemu-img convert -O vmdk -o subformat=streamOptimized`; imgbuild
#                   converts under the final name in a scratch dir, rewrites the random CID.
#   raw -> ova      by hand: the same vmdk, a stub .ovf, sha256sum > .mf, tar; imgbuild: the
#                   vmdk, a full OVF envelope, the SHA256 manifest and a ustar with fixed owner,
#                   mode and mtime.
# imgbuild's figures are timed inside one Node process around each library call (Node's own
# start-up, ~0.1 s, is not counted); the by-hand figures include bash starting each tool.
# Needs root (mke2fs -d keeps owners; the overlay mount). Usage: bash bench/disk-export.sh
# (ROUNDS=n cold rounds, default 2; WARM_ROUNDS=n warm rootfs -> raw rounds, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f dist/src/disk/raw-disk.js ]] || npx tsc -p . >/dev/null || true
work=$(mktemp -d /var/tmp/imgbuild-bench-disk.XXXXXX)
trap 'umount "$work"/merged 2>/dev/null || true; rm -rf "$work"' EXIT
EPOCH=1700000000

tarball=$(node --input-type=module -e "import { vmRootfsTarball } from '$PWD/dist/src/disk/test-support.js'; console.log(await vmRootfsTarball());")
mkdir -p "$work/rootfs"
tar --numeric-owner -xpf "$tarball" -C "$work/rootfs"
echo "rootfs: $(du -sh "$work/rootfs" | cut -f1), $(find "$work/rootfs" | wc -l) entries (mmdebstrap bookworm minbase + linux-image-amd64 systemd-sysv udev)"

now() { date +%s.%N; }
declare -A hand ours

# imgbuild, through the library the post-processors call.
cat > "$work/imgbuild-run.mjs" <<JS
import { rootfsToRawDisk } from '$PWD/dist/src/disk/raw-disk.js';
import { convertDisk } from '$PWD/dist/src/disk/formats.js';
import { writeOva } from '$PWD/dist/src/disk/ova.js';
const w = process.argv[2];
const t = () => performance.now() / 1000;
let t0 = t();
const r = await rootfsToRawDisk({ rootfsDir: w + '/rootfs', output: w + '/ours.raw', sourceDateEpoch: $EPOCH });
const raw = t() - t0; t0 = t();
if (process.argv[3] === 'raw-only') {
  console.log(JSON.stringify({ raw }));
  process.exit(0);
}
await convertDisk({ input: w + '/ours.raw', output: w + '/ours.qcow2', format: 'qcow2', seed: r.seed, sourceDateEpoch: $EPOCH });
const qcow2 = t() - t0; t0 = t();
await convertDisk({ input: w + '/ours.raw', output: w + '/ours.vmdk', format: 'vmdk', seed: r.seed, sourceDateEpoch: $EPOCH });
const vmdk = t() - t0; t0 = t();
await writeOva({ rawDisk: w + '/ours.raw', output: w + '/ours.ova', name: 'vm', seed: r.seed, sourceDateEpoch: $EPOCH, tmpDir: w });
const ova = t() - t0;
console.log(JSON.stringify({ raw, qcow2, vmdk, ova, size: r.sizeBytes, root: r.partitions.root }));
JS

run_ours() {
  node "$work/imgbuild-run.mjs" "$work"
}

hand_raw() {
  local size=$1 off=$2 rootsize=$3 t0
  rm -f "$work/hand.raw"
  t0=$(now)
  truncate -s "$size" "$work/hand.raw"
  E2FSPROGS_FAKE_TIME=$EPOCH mke2fs -q -F -t ext4 -b 4096 -E "offset=$off" -d "$work/rootfs" "$work/hand.raw" $((rootsize / 4096))
  hand[raw]=$(echo "$(now) - $t0" | bc)
}

run_hand() {
  local t0
  rm -f "$work/hand.qcow2" "$work/hand.vmdk" "$work/hand.ova"
  hand_raw "$@"
  t0=$(now); qemu-img convert -q -f raw -O qcow2 "$work/hand.raw" "$work/hand.qcow2"; hand[qcow2]=$(echo "$(now) - $t0" | bc)
  t0=$(now); qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$work/hand.raw" "$work/hand.vmdk"; hand[vmdk]=$(echo "$(now) - $t0" | bc)
  t0=$(now)
  mkdir -p "$work/ova" && qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$work/hand.raw" "$work/ova/vm-disk001.vmdk"
  echo '<Envelope/>' > "$work/ova/vm.ovf"
  (cd "$work/ova" && sha256sum vm.ovf vm-disk001.vmdk > vm.mf && tar -cf "$work/hand.ova" vm.ovf vm.mf vm-disk001.vmdk)
  hand[ova]=$(echo "$(now) - $t0" | bc)
  rm -rf "$work/ova"
}

# Rounds alternate imgbuild and by-hand from a cold page cache; the best time of each stage
# counts, since this machine is shared and the noise only ever adds time.
ROUNDS=${ROUNDS:-2}
min() { echo "if ($1 == 0 || $2 < $1) $2 else $1" | bc -l; }
declare -A best_h=([raw]=0 [qcow2]=0 [vmdk]=0 [ova]=0) best_o=([raw]=0 [qcow2]=0 [vmdk]=0 [ova]=0)
for ((round = 1; round <= ROUNDS; round++)); do
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  json=$(run_ours)
  read -r size off rootsize < <(node -e "const j=JSON.parse(process.argv[1]); console.log(j.size, j.root.offset, j.root.size)" "$json")
  for k in raw qcow2 vmdk ova; do
    ours[$k]=$(node -e "console.log(JSON.parse(process.argv[1])['$k'].toFixed(2))" "$json")
    best_o[$k]=$(min "${best_o[$k]}" "${ours[$k]}")
  done
  rm -f "$work"/ours.*
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  run_hand "$size" "$off" "$rootsize"
  for k in raw qcow2 vmdk ova; do best_h[$k]=$(min "${best_h[$k]}" "${hand[$k]}"); done
  echo "round $round: imgbuild raw ${ours[raw]} qcow2 ${ours[qcow2]} vmdk ${ours[vmdk]} ova ${ours[ova]} | by hand raw ${hand[raw]} qcow2 ${hand[qcow2]} vmdk ${hand[vmdk]} ova ${hand[ova]}"
done
for k in raw qcow2 vmdk ova; do hand[$k]=${best_h[$k]}; ours[$k]=${best_o[$k]}; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# rootfs -> raw again with the tree already in the page cache (as right after a build or an
# extraction), where reading ahead gains nothing and only the work imgbuild adds shows.
WARM_ROUNDS=${WARM_ROUNDS:-3}
warm_h=0; warm_o=0
find "$work/rootfs" -type f -exec cat {} + > /dev/null
for ((round = 1; round <= WARM_ROUNDS; round++)); do
  rm -f "$work/ours.raw"; sync
  o=$(node "$work/imgbuild-run.mjs" "$work" raw-only | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).raw.toFixed(2)))")
  rm -f "$work/ours.raw"; sync
  hand_raw "$size" "$off" "$rootsize"
  echo "warm round $round: imgbuild raw $o | by hand raw ${hand[raw]}"
  warm_o=$(min "$warm_o" "$o"); warm_h=$(min "$warm_h" "${hand[raw]}")
done
rm -f "$work/hand.raw" "$work/ours.raw"
hand[raw]=${best_h[raw]}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

printf '\n%-34s %10s %10s %9s\n' "stage (disk $((size / 1048576)) MiB)" "by hand s" "imgbuild s" "overhead"
total_h=0; total_o=0
for k in raw qcow2 vmdk ova; do
  h=${hand[$k]}; o=${ours[$k]}
  total_h=$(echo "$total_h + $h" | bc); total_o=$(echo "$total_o + $o" | bc)
  case $k in
    raw) label="rootfs -> raw, cold (mke2fs -d)";; qcow2) label="raw -> qcow2";; vmdk) label="raw -> streamOptimized vmdk";; ova) label="raw -> ova (vmdk+sha256+tar)";;
  esac
  printf '%-34s %10.2f %10.2f %8.1f%%\n' "$label" "$h" "$o" "$(echo "($o / $h - 1) * 100" | bc -l)"
done
printf '%-34s %10.2f %10.2f %8.1f%%\n' "total (cold)" "$total_h" "$total_o" "$(echo "($total_o / $total_h - 1) * 100" | bc -l)"
printf '%-34s %10.2f %10.2f %8.1f%%\n' "rootfs -> raw, warm (mke2fs -d)" "$warm_h" "$warm_o" "$(echo "($warm_o / $warm_h - 1) * 100" | bc -l)"
