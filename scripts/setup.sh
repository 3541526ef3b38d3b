#!/usr/bin/env bash
# One-time machine set-up for imgbuild on Debian 12: the Debian packages imgbuild and its
# tests use, and the npm dependencies. Idempotent and quick when everything is there.
# Usage: scripts/setup.sh [--bench]   (--bench adds the peers the benchmarks compare against)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  runc crun bubblewrap          # OCI runtimes for the build container
  mmdebstrap                    # bootstrap bases from Debian packages
  skopeo umoci                  # independent validators of our OCI output (tests)
  docker-registry               # a real OCI registry on 127.0.0.1 (tests)
  e2fsprogs qemu-utils qemu-system-x86 ovmf xorriso  # disks and VMs
  gdisk mtools dosfstools grub-pc-bin grub-efi-amd64-bin grub2-common  # bootable disks without mounting
  attr pigz zstd time jq iproute2 ca-certificates git openssl python3  # attr: getfattr for layer xattrs
  openssh-server openssh-client busybox-static linux-image-amd64 cpio  # SSH and small guests in VM tests
  virt-v2v libguestfs-tools libxml2-utils  # importers' view of our OVAs (tests; LIBGUESTFS_BACKEND=direct), OVF schema checks
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(buildah docker.io uidmap)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

npm run --silent build
