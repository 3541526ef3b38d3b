// Which of its distribution's GRUB packages a root filesystem carries, found by the files
// they install, and what to add when a firmware has none.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError } from '../core/errors.js';

export interface GuestGrub {
  /** /usr/lib/grub/i386-pc (grub-pc-bin) with boot.img and modules. */
  bios: boolean;
  /** /usr/lib/grub/x86_64-efi (grub-efi-amd64-bin) modules. */
  efi: boolean;
  /** Debian's signed monolithic grubx64.efi (grub-efi-amd64-signed) and shim (shim-signed). */
  secureBoot: { grub: string; shim: string; mokManager?: string; bootCsv?: string } | undefined;
  /** The package whose postinst reinstalls GRUB on upgrades: grub-pc sets grub-pc/install_devices. */
  grubPcPackage: boolean;
}

/** Paths inside the root filesystem. */
export const GUEST_GRUB_PATHS = {
  biosModules: 'usr/lib/grub/i386-pc',
  efiModules: 'usr/lib/grub/x86_64-efi',
  signedGrub: 'usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed',
  shim: 'usr/lib/shim/shimx64.efi.signed',
  mokManager: 'usr/lib/shim/mmx64.efi.signed',
  bootCsv: 'usr/lib/shim/BOOTX64.CSV',
  updateGrub: 'usr/sbin/update-grub',
  grubMkimage: 'usr/bin/grub-mkimage',
  grubProbe: 'usr/sbin/grub-probe',
  grubPcTemplates: 'var/lib/dpkg/info/grub-pc.templates',
} as const;

export async function inspectGuestGrub(root: string): Promise<GuestGrub> {
  const has = async (rel: string): Promise<boolean> => (await stat(join(root, rel)).catch(() => null)) !== null;
  const [bios, biosBoot, efi, grub, shim, mm, csv, grubPc] = await Promise.all([
    has(join(GUEST_GRUB_PATHS.biosModules, 'linux.mod')),
    has(join(GUEST_GRUB_PATHS.biosModules, 'boot.img')),
    has(join(GUEST_GRUB_PATHS.efiModules, 'linux.mod')),
    has(GUEST_GRUB_PATHS.signedGrub),
    has(GUEST_GRUB_PATHS.shim),
    has(GUEST_GRUB_PATHS.mokManager),
    has(GUEST_GRUB_PATHS.bootCsv),
    has(GUEST_GRUB_PATHS.grubPcTemplates),
  ]);
  return {
    bios: bios && biosBoot,
    efi,
    secureBoot:
      grub && shim
        ? {
            grub: GUEST_GRUB_PATHS.signedGrub,
            shim: GUEST_GRUB_PATHS.shim,
            ...(mm ? { mokManager: GUEST_GRUB_PATHS.mokManager } : {}),
            ...(csv ? { bootCsv: GUEST_GRUB_PATHS.bootCsv } : {}),
          }
        : undefined,
    grubPcPackage: grubPc,
  };
}

/** The packages to add, per firmware, as the error and the README say them. */
export const GUEST_GRUB_HINT =
  'add grub-pc (BIOS), grub-efi-amd64-signed and shim-signed (UEFI, Secure Boot) to the image, as templates/debian-vm does ' +
  '(grub-efi-amd64 instead of grub-pc boots UEFI only; grub-pc-bin beside it adds BIOS)';

/**
 * Refuses a rootfs that cannot boot the disk through its own GRUB on both firmwares,
 * naming what is missing and what to add.
 */
export async function requireGuestGrub(root: string, what: string): Promise<GuestGrub> {
  const g = await inspectGuestGrub(root);
  const missing: string[] = [];
  if (!(await stat(join(root, GUEST_GRUB_PATHS.updateGrub)).catch(() => null)) || !(await stat(join(root, GUEST_GRUB_PATHS.grubMkimage)).catch(() => null))) {
    missing.push('update-grub and grub-mkimage (grub2-common, grub-common)');
  }
  if (!g.bios) missing.push('GRUB for BIOS (/usr/lib/grub/i386-pc: grub-pc, or grub-pc-bin)');
  if (!g.efi && !g.secureBoot) missing.push('GRUB for UEFI (/usr/lib/grub/x86_64-efi: grub-efi-amd64-bin, with grub-efi-amd64-signed and shim-signed for Secure Boot)');
  if (missing.length > 0) {
    throw new BuildError(
      `${what}: the image has no bootloader of its own: no ${missing.join('; no ')}. ${GUEST_GRUB_HINT}; ` +
        'or set bootloader = "host" to boot through GRUB images made from this machine’s GRUB (kernel upgrades inside the guest will then not reach the boot menu)',
      { code: 'E_DISK_NO_BOOTLOADER' },
    );
  }
  return g;
}
