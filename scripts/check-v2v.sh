#!/usr/bin/env bash
# virt-v2v's view of the OVA templates/debian-vm writes: builds the template, converts the OVA
# with `virt-v2v -i ova … -o local` (LIBGUESTFS_BACKEND=direct, TCG) and boots the converted
# disk to SSH. Longer than a suite test should be on a shared 2-core machine, so it is a
# script; run it after scripts/setup.sh and `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
IMGBUILD_E2E_V2V=1 exec node --experimental-vm-modules node_modules/jest/bin/jest.js --maxWorkers=1 \
  dist/test/e2e/vm-from-container.test.js -t 'image.pkr.hcl|virt-v2v'
