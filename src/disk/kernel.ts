// Finding the kernel GRUB will boot inside a root filesystem, and refusing one without.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError } from '../core/errors.js';

export interface BootKernel {
  version: string;
  /** Paths inside the root filesystem, e.g. /boot/vmlinuz-6.1.0-13-amd64. */
  kernel: string;
  initrd?: string;
}

/** Packages a Debian rootfs needs to boot on its own and be reachable. */
export const BOOT_PACKAGES_HINT =
  'add linux-image-amd64 to the image (and systemd-sysv, udev to boot it; openssh-server to reach it over SSH)';

export async function findKernel(rootfs: string, what: string): Promise<BootKernel> {
  const names = await readdir(join(rootfs, 'boot')).catch(() => [] as string[]);
  const versions = names
    .filter((n) => n.startsWith('vmlinuz-'))
    .map((n) => n.slice('vmlinuz-'.length))
    .sort(compareVersions);
  const version = versions[versions.length - 1];
  if (version === undefined) {
    throw new BuildError(`${what}: no kernel in /boot (looked for /boot/vmlinuz-*); ${BOOT_PACKAGES_HINT}`, {
      code: 'E_DISK_NO_KERNEL',
    });
  }
  const initrd = `initrd.img-${version}`;
  return { version, kernel: `/boot/vmlinuz-${version}`, ...(names.includes(initrd) ? { initrd: `/boot/${initrd}` } : {}) };
}

/** Numeric runs compare as numbers, so 6.10.0 sorts after 6.9.0. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
