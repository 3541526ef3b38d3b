// A Debian rootfs with its own GRUB (mmdebstrap, cached) to a raw disk with rootfsToRawDisk:
// a valid GPT; the guest's boot chain (its update-grub's menu on the root, its modules and
// core.img, shim and signed GRUB on the ESP, the debconf answers and fstab its packages use);
// two exports of the same tree (one a fresh copy, so every ctime and atime differs) are
// byte-identical; the caller's tree is left untouched; a rootfs without a kernel or without
// a bootloader is refused by name; the host-GRUB opt-in. That such disks boot under BIOS
// and UEFI, to SSH, and survive kernel upgrades is tested in vm-from-container.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isImgbuildError } from '../../src/core/errors.js';
import { bootDiskId } from '../../src/disk/guest-boot.js';
import { rootfsToRawDisk, type RawDiskResult } from '../../src/disk/raw-disk.js';
import { extractTarball, VM_EPOCH, vmRootfsTarball } from '../../src/disk/test-support.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-disk-boot-'));
const rootfs = path.join(work, 'rootfs');
const disk = path.join(work, 'a.raw');
let made: RawDiskResult;

beforeAll(async () => {
  extractTarball(await vmRootfsTarball(), rootfs);
  made = await rootfsToRawDisk({ rootfsDir: rootfs, output: disk, sourceDateEpoch: VM_EPOCH, bootMode: 'bios+uefi' });
}, 15 * 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (f: string): string => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0] ?? '';
const mtools = { encoding: 'utf8' as const, env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } };
const inRoot = (image: string, r: RawDiskResult, cmd: string): string =>
  execFileSync('debugfs', ['-R', cmd, `${image}?offset=${r.partitions.root.offset}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

describe('rootfsToRawDisk', () => {
  it('writes a valid GPT with BIOS boot, ESP and ext4 root partitions', () => {
    const v = execFileSync('sgdisk', ['-v', disk], { encoding: 'utf8' });
    expect(v).toContain('No problems found');
    const p = execFileSync('sgdisk', ['-p', disk], { encoding: 'utf8' });
    expect(p).toMatch(/1\s+2048\s+4095\s+1024\.0 KiB\s+EF02\s+bios/);
    expect(p).toMatch(/2\s+4096\s+135167\s+64\.0 MiB\s+EF00\s+esp/);
    expect(p).toMatch(/3\s+135168\s+\d+\s+.*8304\s+root/);
    expect(p).toContain(`Disk identifier (GUID): ${made.ids.diskGuid.toUpperCase()}`);
    const fsck = execFileSync('e2fsck', ['-fn', `${disk}?offset=${made.partitions.root.offset}`], { encoding: 'utf8' });
    expect(fsck).toMatch(/clean|files/);
  });

  it('boots through the guest’s own GRUB: its update-grub’s menu, modules and core.img on the root, shim and signed GRUB on the ESP', () => {
    expect(made.bootloader).toBe('guest');
    const menu = inRoot(disk, made, 'cat /boot/grub/grub.cfg');
    expect(menu).toContain('### BEGIN /etc/grub.d/10_linux ###');
    expect(menu).toContain(`search --no-floppy --fs-uuid --set=root ${made.ids.rootFsUuid}`);
    expect(menu).toContain(`linux\t${made.kernel.kernel} root=UUID=${made.ids.rootFsUuid} ro`);
    const modules = inRoot(disk, made, 'ls -l /boot/grub/i386-pc');
    expect(modules).toMatch(/ core\.img\s/);
    expect(modules).toMatch(/ linux\.mod\s/);
    expect(inRoot(disk, made, 'ls -l /boot/grub/x86_64-efi')).toMatch(/ linux\.mod\s/);
    // The ESP as grub-install --uefi-secure-boot --force-extra-removable leaves it.
    const esp = execFileSync('mdir', ['-/', '-b', '-i', `${disk}@@${made.partitions.esp.offset}`, '::/'], mtools).split('\n').filter(Boolean).sort();
    expect(esp).toEqual(['::/EFI/', '::/EFI/BOOT/', '::/EFI/BOOT/BOOTX64.EFI', '::/EFI/BOOT/grubx64.efi', '::/EFI/BOOT/mmx64.efi', '::/EFI/debian/', '::/EFI/debian/BOOTX64.CSV', '::/EFI/debian/grub.cfg', '::/EFI/debian/grubx64.efi', '::/EFI/debian/mmx64.efi', '::/EFI/debian/shimx64.efi']);
    const shim = execFileSync('mtype', ['-i', `${disk}@@${made.partitions.esp.offset}`, '::/EFI/BOOT/BOOTX64.EFI'], { ...mtools, encoding: 'latin1' });
    expect(Buffer.from(shim, 'latin1').equals(readFileSync(path.join(rootfs, 'usr/lib/shim/shimx64.efi.signed')))).toBe(true);
    expect(execFileSync('mtype', ['-i', `${disk}@@${made.partitions.esp.offset}`, '::/EFI/debian/grub.cfg'], mtools)).toBe(
      `search.fs_uuid ${made.ids.rootFsUuid} root\nset prefix=($root)'/boot/grub'\nconfigfile $prefix/grub.cfg\n`,
    );
  });

  it('sets the package state that keeps the boot chain current inside the guest', () => {
    const debconf = inRoot(disk, made, 'cat /var/cache/debconf/config.dat');
    expect(debconf).toContain(`Name: grub-pc/install_devices\nTemplate: grub-pc/install_devices\nValue: ${bootDiskId(made.ids)}\n`);
    expect(debconf).toMatch(/Name: grub2\/force_efi_extra_removable\nTemplate: [^\n]+\nValue: true\n/);
    expect(inRoot(disk, made, 'cat /etc/udev/rules.d/61-imgbuild-gpt-disk-id.rules')).toContain('SYMLINK+="disk/by-id/gpt-$env{ID_PART_TABLE_UUID}"');
    expect(inRoot(disk, made, 'cat /etc/fstab')).toContain(`UUID=${made.ids.espFsUuid} /boot/efi vfat umask=0077 0 1\n`);
    // The kernel hooks that rerun update-grub are the guest's own.
    expect(inRoot(disk, made, 'cat /etc/kernel/postinst.d/zz-update-grub')).toContain('exec update-grub');
  });

  it('puts an fstab mounting root by UUID in the image and leaves the caller’s tree alone', () => {
    const inImage = execFileSync('debugfs', ['-R', 'cat /etc/fstab', `${disk}?offset=${made.partitions.root.offset}`], { encoding: 'utf8' });
    expect(inImage).toContain(`UUID=${made.ids.rootFsUuid} / ext4`);
    expect(readFileSync(path.join(rootfs, 'etc/fstab'), 'utf8')).toContain('UNCONFIGURED FSTAB');
    expect(() => statSync(path.join(rootfs, 'boot/grub/grub.cfg'))).toThrow();
  });

  it('gives the same bytes for the same tree, even copied afresh (new ctimes and atimes)', async () => {
    const copy = path.join(work, 'copy');
    execFileSync('cp', ['-a', rootfs, copy]);
    const again = path.join(work, 'b.raw');
    await rootfsToRawDisk({ rootfsDir: copy, output: again, sourceDateEpoch: VM_EPOCH });
    expect(sha256(again)).toBe(sha256(disk));
    rmSync(copy, { recursive: true, force: true });
    rmSync(again, { force: true });
  }, 10 * 60_000);

  it('refuses a rootfs without a kernel, naming the packages to add', async () => {
    const bare = path.join(work, 'bare');
    mkdirSync(path.join(bare, 'etc'), { recursive: true });
    writeFileSync(path.join(bare, 'etc/hostname'), 'x\n');
    const out = path.join(work, 'bare.raw');
    const err: unknown = await rootfsToRawDisk({ rootfsDir: bare, output: out, sourceDateEpoch: VM_EPOCH }).catch((e: unknown) => e);
    expect(isImgbuildError(err) && err.code).toBe('E_DISK_NO_KERNEL');
    expect((err as Error).message).toBe(
      `disk ${out}: no kernel in /boot (looked for /boot/vmlinuz-*); add linux-image-amd64 to the image (and systemd-sysv, udev to boot it; openssh-server to reach it over SSH)`,
    );
    expect(() => statSync(out)).toThrow();
  });

  it('refuses a rootfs without a bootloader, naming the packages per firmware and the opt-in', async () => {
    const noGrub = path.join(work, 'no-grub');
    mkdirSync(path.join(noGrub, 'boot'), { recursive: true });
    writeFileSync(path.join(noGrub, 'boot/vmlinuz-6.1.0-1-amd64'), 'kernel');
    const out = path.join(work, 'no-grub.raw');
    const err: unknown = await rootfsToRawDisk({ rootfsDir: noGrub, output: out, sourceDateEpoch: VM_EPOCH }).catch((e: unknown) => e);
    expect(isImgbuildError(err) && err.code).toBe('E_DISK_NO_BOOTLOADER');
    expect((err as Error).message).toBe(
      `disk ${out}: the image has no bootloader of its own: no update-grub and grub-mkimage (grub2-common, grub-common); no GRUB for BIOS (/usr/lib/grub/i386-pc: grub-pc, or grub-pc-bin); ` +
        'no GRUB for UEFI (/usr/lib/grub/x86_64-efi: grub-efi-amd64-bin, with grub-efi-amd64-signed and shim-signed for Secure Boot). ' +
        'add grub-pc (BIOS), grub-efi-amd64-signed and shim-signed (UEFI, Secure Boot) to the image, as templates/debian-vm does (grub-efi-amd64 instead of grub-pc boots UEFI only; grub-pc-bin beside it adds BIOS); ' +
        'or set bootloader = "host" to boot through GRUB images made from this machine’s GRUB (kernel upgrades inside the guest will then not reach the boot menu)',
    );
    expect(() => statSync(out)).toThrow();
  });

  it('bootloader "host" (opt-in): this machine’s GRUB, a menu on the ESP naming the one kernel, the guest’s tree as it was', async () => {
    const out = path.join(work, 'host.raw');
    const r = await rootfsToRawDisk({ rootfsDir: rootfs, output: out, sourceDateEpoch: VM_EPOCH, bootloader: 'host' });
    expect(r.bootloader).toBe('host');
    expect(r.ids.rootFsUuid).not.toBe(made.ids.rootFsUuid);
    const cfg = execFileSync('mtype', ['-i', `${out}@@${r.partitions.esp.offset}`, '::/EFI/BOOT/grub.cfg'], mtools);
    expect(cfg).toContain(`linux ${r.kernel.kernel} root=UUID=${r.ids.rootFsUuid}`);
    expect(inRoot(out, r, 'cat /etc/fstab')).toBe(`# written by imgbuild\nUUID=${r.ids.rootFsUuid} / ext4 errors=remount-ro 0 1\n`);
    expect(inRoot(out, r, 'ls /boot/grub')).not.toContain('i386-pc');
    rmSync(out, { force: true });
  }, 10 * 60_000);
});
