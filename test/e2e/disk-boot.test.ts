// A Debian rootfs (mmdebstrap, cached) to a raw disk with rootfsToRawDisk: a valid GPT
// whose ESP's grub.cfg names the ext4 root we made, two exports of the same tree (one a
// fresh copy, so every ctime and atime differs) are byte-identical, the caller's tree is
// left untouched, and a rootfs without a kernel is refused by name. That such disks boot
// under BIOS and UEFI, to SSH, is tested in vm-from-container.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isImgbuildError } from '../../src/core/errors.js';
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
    const cfg = execFileSync('mtype', ['-i', `${disk}@@${made.partitions.esp.offset}`, '::/EFI/BOOT/grub.cfg'], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    expect(cfg).toContain(`root=UUID=${made.ids.rootFsUuid}`);
  });

  it('puts an fstab mounting root by UUID in the image and leaves the caller’s tree alone', () => {
    const inImage = execFileSync('debugfs', ['-R', 'cat /etc/fstab', `${disk}?offset=${made.partitions.root.offset}`], { encoding: 'utf8' });
    expect(inImage).toContain(`UUID=${made.ids.rootFsUuid} / ext4`);
    expect(readFileSync(path.join(rootfs, 'etc/fstab'), 'utf8')).toContain('UNCONFIGURED FSTAB');
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
});
