// The GRUB configuration shared by the BIOS and UEFI images. Both images carry the same
// early config: find the ESP by its volume id and read grub.cfg from it, so one file on
// the ESP drives both boot paths.
import type { BootKernel } from './kernel.js';

/** Modules built into both images; GRUB adds their dependencies. */
export const GRUB_MODULES = [
  'part_gpt', 'part_msdos', 'fat', 'ext2', 'search', 'search_fs_uuid', 'normal', 'linux', 'configfile',
  'echo', 'serial', 'terminal', 'test', 'boot', 'gzio',
] as const;
export const GRUB_BIOS_MODULES = ['biosdisk'] as const;
export const GRUB_EFI_MODULES = ['efi_gop'] as const;
export const ESP_GRUB_DIR = '/EFI/BOOT';

export function earlyConfig(espFsUuid: string): string {
  return [`search --no-floppy --fs-uuid --set=root ${espFsUuid}`, `set prefix=($root)${ESP_GRUB_DIR}`, ''].join('\n');
}

export interface GrubCfgOptions {
  kernel: BootKernel;
  rootFsUuid: string;
  rootPartGuid: string;
  /** Extra kernel arguments. */
  cmdline?: string;
  title?: string;
}

export function grubCfg(o: GrubCfgOptions): string {
  // Without an initramfs only the kernel can find the root, and it knows PARTUUID, not UUID.
  const root = o.kernel.initrd !== undefined ? `UUID=${o.rootFsUuid}` : `PARTUUID=${o.rootPartGuid}`;
  const args = [`root=${root}`, 'ro', 'console=tty0', 'console=ttyS0,115200n8', ...(o.cmdline ? [o.cmdline] : [])].join(' ');
  return [
    'serial --unit=0 --speed=115200',
    'terminal_input serial console',
    'terminal_output serial console',
    'set timeout=1',
    'set default=0',
    `search --no-floppy --fs-uuid --set=root ${o.rootFsUuid}`,
    `menuentry '${(o.title ?? `Linux ${o.kernel.version}`).replace(/'/g, '')}' {`,
    `  linux ${o.kernel.kernel} ${args}`,
    ...(o.kernel.initrd !== undefined ? [`  initrd ${o.kernel.initrd}`] : []),
    '}',
    '',
  ].join('\n');
}

/** The root by its UUID; with `espFsUuid`, the ESP at /boot/efi, where Debian's GRUB packages install to. */
export function fstab(rootFsUuid: string, espFsUuid?: string): string {
  const esp = espFsUuid !== undefined ? `UUID=${espFsUuid} /boot/efi vfat umask=0077 0 1\n` : '';
  return `# written by imgbuild\nUUID=${rootFsUuid} / ext4 errors=remount-ro 0 1\n${esp}`;
}
