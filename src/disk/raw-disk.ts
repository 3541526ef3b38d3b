// rootfs -> bootable raw disk (GPT; BIOS boot partition; FAT32 ESP; ext4 root) without
// mounting the disk or any of its filesystems. Every tool is given fixed ids and times, so
// the same input gives the same bytes; see README.md for each determinism lever.
import { createHash } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { chmod, chown, lstat, lutimes, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { freemem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BuildError, EnvironmentError } from '../core/errors.js';
import type { Journal, JournalEntry } from '../core/journal-types.js';
import { flattenImage } from '../oci/flatten.js';
import { OciLayout } from '../oci/layout.js';
import { biosMbr, placeCoreImg } from './bios-boot.js';
import { hostDiskDriver, type DiskDriver } from './driver.js';
import { ALIGN_SECTORS, encodeGpt, PartType, protectiveMbr, SECTOR, type GptLayout } from './gpt.js';
import {
  earlyConfig, ESP_GRUB_DIR, fstab, GRUB_BIOS_MODULES, GRUB_EFI_MODULES, GRUB_MODULES, grubCfg,
} from './grub-config.js';
import { clampExt4Times } from './ext4-times.js';
import { installGuestBoot, type GuestBoot } from './guest-boot.js';
import { requireGuestGrub } from './guest-grub.js';
import { writeAt } from './file-io.js';
import { deriveIds, type DiskIds } from './ids.js';
import { findKernel, type BootKernel } from './kernel.js';
import { MKE2FS_CONF } from './mke2fs-conf.js';
import { coldWalk, prefetchFiles, type Prefetch } from './prefetch.js';
import { summarizeTree } from './tree.js';

export type BootMode = 'bios+uefi';
/**
 * guest: the image's own GRUB, menu made by its update-grub, kept current by its kernel
 * hooks (guest-boot.ts). host: GRUB images made from this machine's GRUB with a menu naming
 * the one kernel found; kernel upgrades inside the guest do not reach it.
 */
export type Bootloader = 'guest' | 'host';

export interface RawDiskOptions {
  /** The root filesystem tree; never modified. Give this or ociLayout. */
  rootfsDir?: string;
  /** An OCI image layout whose image (ref name or digest; default: the only one) is flattened. */
  ociLayout?: string;
  ref?: string;
  output: string;
  /** Whole-disk size; rounded up to 1 MiB. Default: the tree's size plus room (see autoSize). */
  sizeBytes?: number;
  sourceDateEpoch: number;
  bootMode?: BootMode;
  /** Default guest. */
  bootloader?: Bootloader;
  /** Default 64 MiB (FAT32 needs 65525 clusters: at least ~33 MiB with the 512-byte clusters we use). */
  espSizeBytes?: number;
  /** Appended to the kernel command line. */
  kernelArgs?: string;
  /** Replaces the input hash the ids are derived from. */
  seed?: string;
  driver?: DiskDriver;
  signal?: AbortSignal;
  /** Where scratch trees go (overlay upper, ESP staging, flattened image). Default os.tmpdir(). */
  tmpDir?: string;
  /** Where the scratch dir and the overlay mount are recorded, for `imgbuild cleanup`. */
  journal?: Journal;
  /** GRUB's platform directories; default /usr/lib/grub. */
  grubLibDir?: string;
}

export interface RawDiskResult {
  output: string;
  sizeBytes: number;
  ids: DiskIds;
  /** What the ids were derived from; formats derive theirs from it too. */
  seed: string;
  kernel: BootKernel;
  bootloader: Bootloader;
  partitions: { bios: Range; esp: Range; root: Range };
}

interface Range {
  /** Byte offset and length. */
  offset: number;
  size: number;
}

const MiB = 1024 * 1024;
const DEFAULT_ESP = 64 * MiB;
/** Bump when the recipe changes the bytes for the same input. */
const RECIPE = 'raw-v3';

export async function rootfsToRawDisk(o: RawDiskOptions): Promise<RawDiskResult> {
  const driver = o.driver ?? hostDiskDriver;
  const what = `disk ${o.output}`;
  if ((o.rootfsDir === undefined) === (o.ociLayout === undefined)) {
    throw new BuildError(`${what}: give exactly one of rootfsDir and ociLayout`, { code: 'E_DISK_INPUT', source: 'internal' });
  }
  // e2fsprogs treats E2FSPROGS_FAKE_TIME=0 as unset and falls back to the clock.
  const epoch = Math.max(1, Math.floor(o.sourceDateEpoch));
  const grubLib = o.grubLibDir ?? '/usr/lib/grub';
  const bootloader = o.bootloader ?? 'guest';
  if (bootloader === 'host') await requireGrub(grubLib);
  const tmp = await mkdtemp(join(o.tmpDir ?? tmpdir(), 'imgbuild-disk-'));
  const tmpEntry = await o.journal?.record('path', { path: tmp }, `scratch dir of ${what}`);
  let mountEntry: JournalEntry | undefined;
  let merged: string | null = null;
  let prefetch: Prefetch | undefined;
  const partial = `${o.output}.partial`;
  const unmountMerged = async (): Promise<void> => {
    if (merged === null) return;
    // A failed unmount stops here: removing tmp would walk the merged view of the caller's tree.
    await driver.unmount(merged);
    merged = null;
    if (mountEntry) await o.journal?.strike(mountEntry);
    mountEntry = undefined;
  };
  try {
    // 1. The tree mke2fs copies: the caller's tree under an overlay holding our /etc/fstab,
    //    or our own flattened copy of the image, where we may write directly.
    let tree: string;
    let inputId: string;
    if (o.rootfsDir !== undefined) {
      tree = o.rootfsDir;
      if (!(await stat(tree).catch(() => null))?.isDirectory()) {
        throw new BuildError(`${what}: rootfs ${tree} is not a directory; give the root filesystem's folder`, { code: 'E_DISK_INPUT' });
      }
      inputId = '';
    } else {
      const layout = await OciLayout.open(o.ociLayout ?? '');
      const image = await layout.resolve(o.ref);
      tree = join(tmp, 'rootfs');
      await mkdir(tree, { mode: 0o755 });
      await flattenImage(image, tree, { allowDevices: true });
      inputId = image.manifestDescriptor.digest;
    }
    const kernel = await findKernel(tree, what);
    const guestGrub = bootloader === 'guest' ? await requireGuestGrub(tree, what) : undefined;
    const files: string[] = [];
    const walkStart = performance.now();
    const summary = await summarizeTree(tree, o.rootfsDir !== undefined ? { onFile: (f) => files.push(f) } : {});
    // A caller's tree may not be in the page cache (ours was just written); see prefetch.ts.
    if (o.rootfsDir !== undefined && coldWalk(summary.entries, performance.now() - walkStart)) {
      prefetch = prefetchFiles(files, { concurrency: 4, maxBytes: freemem() / 2 });
    }
    const espSize = roundUp(o.espSizeBytes ?? DEFAULT_ESP, MiB);
    const sizeBytes = roundUp(o.sizeBytes ?? autoSize(summary.bytes, espSize), MiB);
    const totalSectors = sizeBytes / SECTOR;
    const bios = { first: ALIGN_SECTORS, sectors: ALIGN_SECTORS };
    const esp = { first: bios.first + bios.sectors, sectors: espSize / SECTOR };
    const rootFirst = esp.first + esp.sectors;
    const rootLast = Math.floor((totalSectors - 33) / ALIGN_SECTORS) * ALIGN_SECTORS - 1;
    const rootBytes = (rootLast + 1 - rootFirst) * SECTOR;
    const needed = Math.ceil(summary.bytes * 1.1) + 64 * MiB;
    if (rootBytes < needed) {
      throw new BuildError(
        `${what}: ${fmtMiB(sizeBytes)} leaves ${fmtMiB(rootBytes)} for a root of about ${fmtMiB(summary.bytes)}; give a size of at least ${fmtMiB(roundUp(needed + (sizeBytes - rootBytes), MiB))}`,
        { code: 'E_DISK_SIZE' },
      );
    }
    const seed =
      o.seed ??
      createHash('sha256')
        .update(JSON.stringify({ RECIPE, inputId, tree: inputId === '' ? summary.fingerprint : '', sizeBytes, espSize, epoch, args: o.kernelArgs ?? '', bootloader }))
        .digest('hex');
    const ids = deriveIds(seed);

    // Our changes (fstab; with the guest's bootloader, /boot/grub and the package state)
    // go to an overlay's upper dir: the input tree stays as it was, and every file we add
    // or change is found there to have its times fixed.
    const fstabText = fstab(ids.rootFsUuid, guestGrub ? ids.espFsUuid : undefined);
    const target = join(tmp, 'merged');
    mountEntry = await o.journal?.record('mount', { target }, `overlay adding /etc/fstab${guestGrub ? ' and the boot chain' : ''} for ${what}`);
    const upper = await overlayWithFile(driver, tree, tmp, target, 'etc/fstab', fstabText, epoch);
    merged = target;
    tree = target;
    let guestBoot: GuestBoot | undefined;
    if (guestGrub) {
      guestBoot = await installGuestBoot({ driver, tree, scratch: tmp, ids, grub: guestGrub, kernelArgs: o.kernelArgs, what, signal: o.signal });
      await clampTimes(upper, epoch);
    }

    // 2. The disk file: sparse zeros, then the GPT.
    await mkdir(dirname(o.output), { recursive: true });
    const gpt: GptLayout = {
      totalSectors,
      diskGuid: ids.diskGuid,
      partitions: [
        { type: PartType.biosBoot, guid: ids.biosPartGuid, name: 'bios', firstLba: bios.first, lastLba: bios.first + bios.sectors - 1 },
        { type: PartType.esp, guid: ids.espPartGuid, name: 'esp', firstLba: esp.first, lastLba: esp.first + esp.sectors - 1 },
        { type: PartType.linuxRootX86_64, guid: ids.rootPartGuid, name: 'root', firstLba: rootFirst, lastLba: rootLast },
      ],
    };
    const fh = await open(partial, fsc.O_RDWR | fsc.O_CREAT | fsc.O_TRUNC, 0o644);
    try {
      await fh.truncate(sizeBytes);
      for (const r of encodeGpt(gpt)) await writeAt(fh, r.data, r.offset);

      // 3. The filesystems and boot code; they write disjoint ranges of the file.
      const env = { E2FSPROGS_FAKE_TIME: String(epoch), SOURCE_DATE_EPOCH: String(epoch) };
      const conf = join(tmp, 'mke2fs.conf');
      await writeFile(conf, MKE2FS_CONF);
      await writeFile(join(tmp, 'early.cfg'), earlyConfig(ids.espFsUuid));
      const ext4 = driver.run(
        'mke2fs',
        [
          '-q', '-F', '-t', 'ext4', '-T', 'default', '-b', '4096', '-L', 'root', '-U', ids.rootFsUuid,
          '-E', `hash_seed=${ids.rootHashSeed},root_owner=0:0,offset=${rootFirst * SECTOR},nodiscard,lazy_itable_init=0,assume_storage_prezeroed=1`,
          '-d', tree, partial, String(rootBytes / 4096),
        ],
        { env: { ...env, MKE2FS_CONFIG: conf }, ...sig(o.signal) },
      );
      const espInput = { tmp, volumeId: ids.espVolumeId, disk: partial, first: esp.first, sectors: esp.sectors, epoch, env, signal: o.signal };
      const espDone = guestBoot
        ? writeEsp(driver, espInput, guestBoot.esp)
        : buildHostEsp(driver, { ...espInput, grubLib, ids, kernel, kernelArgs: o.kernelArgs });
      const biosDone = (async () => {
        let coreImg: Buffer;
        if (guestBoot) {
          coreImg = guestBoot.coreImg;
        } else {
          const core = join(tmp, 'core.img');
          await driver.run('grub-mkimage', ['-O', 'i386-pc', '-d', join(grubLib, 'i386-pc'), '-p', ESP_GRUB_DIR, '-c', join(tmp, 'early.cfg'), '-o', core, ...GRUB_BIOS_MODULES, ...GRUB_MODULES], sig(o.signal));
          coreImg = await readFile(core);
        }
        const placed = placeCoreImg(coreImg, bios.first);
        if (placed.length > bios.sectors * SECTOR) {
          throw new BuildError(`${what}: GRUB core.img is ${placed.length} bytes, larger than the 1 MiB BIOS boot partition`, { code: 'E_DISK_GRUB', source: 'internal' });
        }
        await writeAt(fh, placed, bios.first * SECTOR);
        const bootImg = guestBoot?.bootImg ?? (await readFile(join(grubLib, 'i386-pc', 'boot.img')));
        await writeAt(fh, biosMbr(bootImg, protectiveMbr(totalSectors), bios.first), 0);
      })();
      // Once mke2fs has read the tree, the prefetch and the overlay have done their part.
      const ext4Done = ext4.finally(() => prefetch?.stop());
      const ext4Clamped = ext4Done.then(() => clampExt4Times(fh, rootFirst * SECTOR, epoch));
      const unmounted = ext4Done.then(unmountMerged);
      const results = await Promise.allSettled([ext4Clamped, espDone, biosDone, unmounted]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(partial, o.output);
    return {
      output: o.output,
      sizeBytes,
      ids,
      seed,
      kernel,
      bootloader,
      partitions: {
        bios: { offset: bios.first * SECTOR, size: bios.sectors * SECTOR },
        esp: { offset: esp.first * SECTOR, size: esp.sectors * SECTOR },
        root: { offset: rootFirst * SECTOR, size: rootBytes },
      },
    };
  } finally {
    await prefetch?.stop();
    await unmountMerged();
    await rm(partial, { force: true });
    await rm(tmp, { recursive: true, force: true });
    if (tmpEntry) await o.journal?.strike(tmpEntry);
  }
}

/** Root tree plus a quarter for growth and 256 MiB of headroom, plus ESP and GPT margins. */
export function autoSize(treeBytes: number, espBytes: number): number {
  return roundUp(Math.ceil(treeBytes * 1.25) + 256 * MiB + espBytes + 4 * MiB, 64 * MiB);
}

interface EspInput {
  tmp: string;
  /** FAT volume id (mkfs.vfat -i). */
  volumeId: string;
  disk: string;
  first: number;
  sectors: number;
  epoch: number;
  env: Record<string, string>;
  signal: AbortSignal | undefined;
}

/** The ESP as this machine's GRUB boots it: one image for both paths, grub.cfg naming the kernel. */
async function buildHostEsp(driver: DiskDriver, e: EspInput & { grubLib: string; ids: DiskIds; kernel: BootKernel; kernelArgs: string | undefined }): Promise<void> {
  const image = join(e.tmp, 'BOOTX64.EFI');
  await driver.run('grub-mkimage', ['-O', 'x86_64-efi', '-d', join(e.grubLib, 'x86_64-efi'), '-p', ESP_GRUB_DIR, '-c', join(e.tmp, 'early.cfg'), '-o', image, ...GRUB_EFI_MODULES, ...GRUB_MODULES], sig(e.signal));
  const cfg = grubCfg({ kernel: e.kernel, rootFsUuid: e.ids.rootFsUuid, rootPartGuid: e.ids.rootPartGuid, ...(e.kernelArgs ? { cmdline: e.kernelArgs } : {}) });
  await writeEsp(driver, e, new Map([['EFI/BOOT/BOOTX64.EFI', await readFile(image)], ['EFI/BOOT/grub.cfg', Buffer.from(cfg)]]));
}

/** A FAT32 ESP holding `files` (path under the ESP → bytes), every entry stamped with the epoch. */
async function writeEsp(driver: DiskDriver, e: EspInput, files: ReadonlyMap<string, Buffer>): Promise<void> {
  const stage = join(e.tmp, 'esp');
  for (const [rel, data] of files) {
    await mkdir(dirname(join(stage, rel)), { recursive: true });
    await writeFile(join(stage, rel), data);
  }
  // mcopy -m keeps these times, so the FAT directory entries are fixed too.
  await clampTimes(stage, e.epoch);
  await driver.run('mkfs.vfat', ['--invariant', '-F', '32', '-s', '1', '-i', e.volumeId, '-n', 'ESP', '-h', String(e.first), `--offset=${e.first}`, e.disk, String((e.sectors * SECTOR) / 1024)], { env: e.env, ...sig(e.signal) });
  await driver.run('mcopy', ['-s', '-m', '-i', `${e.disk}@@${e.first * SECTOR}`, join(stage, 'EFI'), '::/'], { env: { ...e.env, MTOOLS_SKIP_CHECK: '1' }, ...sig(e.signal) });
}

/** Sets the times of `dir` and everything below it to the epoch (symlinks themselves, not their targets). */
async function clampTimes(dir: string, epoch: number): Promise<void> {
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) await clampTimes(p, epoch);
    else await lutimes(p, epoch, epoch);
  }
  await utimes(dir, epoch, epoch);
}

/**
 * Mounts `lower` under an overlay whose upper holds `rel` with `content`. The upper's parent
 * dirs copy the lower's owner, mode and times, so the merged tree differs by that file only.
 */
async function overlayWithFile(driver: DiskDriver, lower: string, tmp: string, target: string, rel: string, content: string, epoch: number): Promise<string> {
  const upper = join(tmp, 'upper');
  const work = join(tmp, 'work');
  await Promise.all([mkdir(upper), mkdir(work), mkdir(target)]);
  const parents = rel.split('/').slice(0, -1).map((_, i, all) => all.slice(0, i + 1).join('/'));
  for (const p of parents) await mkdir(join(upper, p), { recursive: true });
  await writeFile(join(upper, rel), content, { mode: 0o644 });
  await utimes(join(upper, rel), epoch, epoch);
  // Parent metadata last (writing the file changed their mtimes), deepest first.
  for (const p of [...parents].reverse()) {
    if (!(await cloneDirMeta(join(lower, p), join(upper, p)))) await utimes(join(upper, p), epoch, epoch);
  }
  await cloneDirMeta(lower, upper);
  await driver.mountOverlay({ lower, upper, work, target });
  return upper;
}

async function cloneDirMeta(from: string, to: string): Promise<boolean> {
  const st = await lstat(from).catch(() => null);
  if (!st?.isDirectory()) return false;
  await chown(to, st.uid, st.gid);
  await chmod(to, st.mode & 0o7777);
  await utimes(to, st.atime, st.mtime);
  return true;
}

async function requireGrub(lib: string): Promise<void> {
  for (const [platform, pkg] of [['i386-pc', 'grub-pc-bin'], ['x86_64-efi', 'grub-efi-amd64-bin']] as const) {
    if (!(await stat(join(lib, platform, 'linux.mod')).catch(() => null))) {
      throw new EnvironmentError(`GRUB ${platform} modules not found in ${join(lib, platform)}; install them with \`apt-get install -y ${pkg} grub-common\``, {
        code: 'E_TOOL_MISSING',
      });
    }
  }
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function fmtMiB(n: number): string {
  return `${Math.round(n / MiB)} MiB`;
}
