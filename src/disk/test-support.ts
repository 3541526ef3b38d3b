// Shared by the disk e2e tests and the benchmark: a bootable Debian rootfs built once per
// machine with mmdebstrap (cached by src/bootstrap under IMGBUILD_CACHE_DIR). Booting disks
// is tested through the qemu builder (test/e2e/vm-from-container.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { EnvironmentError } from '../core/errors.js';
import { bootstrapTarball, type BootstrapOptions } from '../bootstrap/index.js';
import { defaultCacheDir } from '../oci/cache-dir.js';

export const VM_EPOCH = 1700000000;
export const VM_ROOTFS: BootstrapOptions = { suite: 'bookworm', variant: 'minbase', packages: ['linux-image-amd64', 'systemd-sysv', 'udev', 'grub-pc', 'grub-efi-amd64-signed', 'shim-signed'] };

export async function vmRootfsTarball(): Promise<string> {
  return bootstrapTarball(VM_ROOTFS, { cacheDir: defaultCacheDir(), sourceDateEpoch: VM_EPOCH });
}

/** Extracts a rootfs tarball as root, keeping owners (the tar CLI, as a user would). */
export function extractTarball(tarball: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('tar', ['--numeric-owner', '-xpf', tarball, '-C', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new EnvironmentError(`tar -x ${tarball}: ${r.stderr.trim()}`);
}
