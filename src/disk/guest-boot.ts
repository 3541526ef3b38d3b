// The guest's own boot chain, laid out as Debian's grub-install and update-grub would on
// the disk being built, without the disk being a device: the guest's GRUB modules copied to
// /boot/grub/<platform>, core.img and grubx64.efi made by the guest's grub-mkimage, the
// menu (/boot/grub/grub.cfg) written by the guest's update-grub from its /etc/default/grub,
// and the package state that makes the guest keep all of it current: the kernel hooks
// (/etc/kernel/post{inst,rm}.d/zz-update-grub) rerun update-grub because grub.cfg exists,
// and grub-pc's postinst reinstalls core.img on GRUB upgrades to grub-pc/install_devices.
//
// The guest's tools run in a bubblewrap namespace over the (overlay-merged) root tree. The
// one thing they cannot learn there is the disk: grub-probe is given a stand-in that
// answers grub-mkconfig's questions with the ids this disk will have.
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError } from '../core/errors.js';
import type { DiskDriver } from './driver.js';
import type { GuestGrub } from './guest-grub.js';
import { GUEST_GRUB_PATHS } from './guest-grub.js';
import type { DiskIds } from './ids.js';

/** Partition numbers of our GPT layout (gpt.ts order). */
export const ROOT_PART = 3;
const BOOT_ID_DIR = 'disk/by-id';

export interface GuestBootInput {
  driver: DiskDriver;
  /** The root tree as the disk will hold it; writable (an overlay's merged view). */
  tree: string;
  /** Host scratch dir for the stand-in, the script and the images. */
  scratch: string;
  ids: DiskIds;
  grub: GuestGrub;
  kernelArgs: string | undefined;
  what: string;
  signal: AbortSignal | undefined;
}

export interface GuestBoot {
  /** The guest's boot.img (MBR code) and core.img for the BIOS boot partition. */
  bootImg: Buffer;
  coreImg: Buffer;
  /** ESP files: path under the ESP root (`EFI/BOOT/BOOTX64.EFI`) → bytes. */
  esp: Map<string, Buffer>;
}

/** The whole disk, as udev names it from the GPT disk GUID (see udevRule). */
export function bootDiskId(ids: DiskIds): string {
  return `/dev/${BOOT_ID_DIR}/gpt-${ids.diskGuid}`;
}

export async function installGuestBoot(g: GuestBootInput): Promise<GuestBoot> {
  const { tree, ids } = g;
  const out = join(g.scratch, 'guest-boot');
  await mkdir(out, { recursive: true });

  // What grub-install copies: the platform's modules and lists into /boot/grub/<platform>,
  // boot.img beside them, the font GRUB's graphical terminal loads.
  const platforms = [...(g.grub.bios ? ['i386-pc'] : []), ...(g.grub.efi ? ['x86_64-efi'] : [])];
  for (const p of platforms) {
    const from = join(tree, 'usr/lib/grub', p);
    const to = join(tree, 'boot/grub', p);
    await mkdir(to, { recursive: true });
    for (const f of (await readdir(from)).sort()) {
      if (/\.(mod|lst|o)$/.test(f) || f === 'modinfo.sh' || f === 'boot.img') await cp(join(from, f), join(to, f));
    }
  }
  const font = await readFile(join(tree, 'usr/share/grub/unicode.pf2')).catch(() => null);
  if (font) {
    await mkdir(join(tree, 'boot/grub/fonts'), { recursive: true });
    await writeFile(join(tree, 'boot/grub/fonts/unicode.pf2'), font);
  }
  // The ESP is mounted where Debian's GRUB and shim packages look for it (fstab).
  if (g.grub.efi || g.grub.secureBoot) await mkdir(join(tree, 'boot/efi'), { recursive: true });
  // A name for the whole disk that does not depend on the hypervisor's bus or serial.
  await mkdir(join(tree, 'etc/udev/rules.d'), { recursive: true });
  await writeFile(join(tree, 'etc/udev/rules.d/61-imgbuild-gpt-disk-id.rules'), udevRule(), { mode: 0o644 });
  if (g.kernelArgs) {
    await mkdir(join(tree, 'etc/default/grub.d'), { recursive: true });
    await writeFile(
      join(tree, 'etc/default/grub.d/90-imgbuild-kernel-args.cfg'),
      `# kernel_args of the imgbuild disk post-processor\nGRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX "${shellQuote(g.kernelArgs)}\n`,
      { mode: 0o644 },
    );
  }

  await writeFile(join(out, 'grub-probe'), grubProbeStandIn(ids), { mode: 0o755 });
  await writeFile(join(out, 'load.cfg'), loadCfg(ids.rootFsUuid));
  await writeFile(join(out, 'install.sh'), installScript(g.grub, ids), { mode: 0o755 });
  const dev = (kind: string, name: string): string[] => ['--symlink', '../../null', `/dev/disk/${kind}/${name}`];
  try {
    await g.driver.run(
      'bwrap',
      [
        '--bind', tree, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run',
        '--bind', out, '/run/imgbuild', '--ro-bind', join(out, 'grub-probe'), `/${GUEST_GRUB_PATHS.grubProbe}`,
        '--dir', '/dev/disk/by-uuid', '--dir', '/dev/disk/by-partuuid',
        ...dev('by-uuid', ids.rootFsUuid), ...dev('by-partuuid', ids.rootPartGuid),
        '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--die-with-parent',
        '--clearenv', '--setenv', 'PATH', '/usr/sbin:/usr/bin:/sbin:/bin', '--setenv', 'LC_ALL', 'C',
        '--setenv', 'DEBIAN_FRONTEND', 'noninteractive', '--setenv', 'HOME', '/root',
        '/bin/sh', '/run/imgbuild/install.sh',
      ],
      g.signal ? { signal: g.signal } : {},
    );
  } catch (e) {
    throw new BuildError(`${g.what}: the image's own GRUB tools failed (update-grub, grub-mkimage): ${(e as Error).message}`, { code: 'E_DISK_GRUB', cause: e });
  }

  const esp = new Map<string, Buffer>();
  const read = (rel: string): Promise<Buffer> => readFile(join(tree, rel));
  const sb = g.grub.secureBoot;
  if (sb) {
    // grub-install --uefi-secure-boot --force-extra-removable: shim first, then Debian's
    // signed GRUB, whose built-in prefix is /EFI/debian, where grub.cfg sends it to /boot/grub.
    const [shim, grub] = await Promise.all([read(sb.shim), read(sb.grub)]);
    const mm = sb.mokManager !== undefined ? await read(sb.mokManager) : undefined;
    esp.set('EFI/debian/shimx64.efi', shim);
    esp.set('EFI/debian/grubx64.efi', grub);
    esp.set('EFI/debian/grub.cfg', Buffer.from(loadCfg(ids.rootFsUuid) + 'configfile $prefix/grub.cfg\n'));
    if (sb.bootCsv !== undefined) esp.set('EFI/debian/BOOTX64.CSV', await read(sb.bootCsv));
    esp.set('EFI/BOOT/BOOTX64.EFI', shim);
    esp.set('EFI/BOOT/grubx64.efi', grub);
    if (mm) {
      esp.set('EFI/debian/mmx64.efi', mm);
      esp.set('EFI/BOOT/mmx64.efi', mm);
    }
  } else if (g.grub.efi) {
    const image = await readFile(join(out, 'grubx64.efi'));
    esp.set('EFI/debian/grubx64.efi', image);
    esp.set('EFI/BOOT/BOOTX64.EFI', image);
  }
  const [bootImg, coreImg] = await Promise.all([read(join(GUEST_GRUB_PATHS.biosModules, 'boot.img')), readFile(join(out, 'core.img'))]);
  return { bootImg, coreImg, esp };
}

/**
 * The script run inside the guest's tree: its grub-mkimage makes the images as
 * grub-install would, its update-grub writes the menu, debconf records where GRUB lives.
 */
function installScript(grub: GuestGrub, ids: DiskIds): string {
  const mods = 'part_gpt part_msdos ext2 search_fs_uuid';
  const lines = [
    '#!/bin/sh',
    'set -eu',
  ];
  if (grub.bios) {
    lines.push(`grub-mkimage -O i386-pc -d /usr/lib/grub/i386-pc -c /run/imgbuild/load.cfg -p /boot/grub -o /run/imgbuild/core.img biosdisk ${mods}`);
    // grub-pc's postinst reinstalls only where it finds core.img (and to install_devices).
    lines.push('cp /run/imgbuild/core.img /boot/grub/i386-pc/core.img');
  }
  if (grub.efi) {
    lines.push(`grub-mkimage -O x86_64-efi -d /usr/lib/grub/x86_64-efi -c /run/imgbuild/load.cfg -p /boot/grub -o /run/imgbuild/grubx64.efi ${mods}`);
    lines.push('cp /run/imgbuild/grubx64.efi /boot/grub/x86_64-efi/core.efi');
  }
  lines.push('grub-editenv /boot/grub/grubenv create');
  // update-grub prints the kernels it found; a build log wants them.
  lines.push('update-grub 2>&1');
  const selections = [
    // A GRUB upgrade in the guest reinstalls core.img here (grub-pc.postinst); by-id names the
    // disk on any hypervisor through our udev rule.
    ...(grub.grubPcPackage ? [`grub-pc grub-pc/install_devices multiselect ${bootDiskId(ids)}`, 'grub-pc grub-pc/install_devices_empty boolean false'] : []),
    // EFI reinstalls (grub-efi-amd64, shim-signed) go to /boot/efi, the ESP by its volume id
    // in fstab, and also to the removable path a VM without boot entries starts from.
    'grub-pc grub2/force_efi_extra_removable boolean true',
    'grub-pc grub2/update_nvram boolean false',
  ];
  lines.push(`debconf-set-selections <<'EOF'\n${selections.join('\n')}\nEOF`);
  return lines.join('\n') + '\n';
}

/** grub-install's embedded config: find the root filesystem, read /boot/grub from it. */
function loadCfg(rootFsUuid: string): string {
  return `search.fs_uuid ${rootFsUuid} root\nset prefix=($root)'/boot/grub'\n`;
}

/** whole GPT disks get /dev/disk/by-id/gpt-<disk GUID>; bookworm's udev has no such name. */
export function udevRule(): string {
  return [
    '# Written by imgbuild: a name for a GPT disk that is the same on every hypervisor, so',
    '# grub-pc/install_devices (debconf) finds the boot disk wherever the image runs.',
    `ACTION=="add|change", SUBSYSTEM=="block", ENV{DEVTYPE}=="disk", ENV{ID_PART_TABLE_TYPE}=="gpt", ENV{ID_PART_TABLE_UUID}=="?*", SYMLINK+="${BOOT_ID_DIR}/gpt-$env{ID_PART_TABLE_UUID}"`,
    '',
  ].join('\n');
}

/**
 * grub-probe for the disk being built. grub-mkconfig asks it which device holds / and
 * /boot and that device's filesystem, UUID, partition map and hints; the answers are the
 * ids this disk gets. Anything else is refused loudly rather than guessed.
 */
export function grubProbeStandIn(ids: DiskIds): string {
  return `#!/bin/sh
# imgbuild: grub-probe for a disk that is being built and is not a device yet.
target=
while [ $# -gt 0 ]; do
  case "$1" in
    --target=*) target=\${1#--target=} ;;
    -t|--target) shift; target=$1 ;;
    -t*) target=\${1#-t} ;;
  esac
  shift
done
case "$target" in
  device) echo /dev/disk/by-partuuid/${ids.rootPartGuid} ;;
  fs_uuid) echo ${ids.rootFsUuid} ;;
  partuuid) echo ${ids.rootPartGuid} ;;
  fs) echo ext2 ;;
  fs_label) echo root ;;
  partmap) echo gpt ;;
  abstraction|cryptodisk_uuid) ;;
  compatibility_hint) echo hd0,gpt${ROOT_PART} ;;
  drive) echo '(hd0,gpt${ROOT_PART})' ;;
  *) echo "grub-probe (imgbuild): no answer for --target=$target on a disk being built" >&2; exit 1 ;;
esac
`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
