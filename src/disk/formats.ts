// Raw disk -> VM image formats through qemu-img, then the few fields qemu-img fills with
// random values or the clock are rewritten from the seed, so each format is reproducible
// too (VMDK CID, VHD footer time and id, VHDX header and disk ids). See README.md.
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BuildError } from '../core/errors.js';
import { hostDiskDriver, type DiskDriver } from './driver.js';
import { patchVhd } from './vhd.js';
import { patchVhdx } from './vhdx.js';
import { patchVmdkCid } from './vmdk.js';

export type DiskFormat = 'raw' | 'qcow2' | 'vmdk' | 'vhd' | 'vhdx';
export const DISK_FORMATS: readonly DiskFormat[] = ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx'];
export type VmdkSubformat = 'streamOptimized' | 'monolithicSparse' | 'monolithicFlat';
export type VmdkAdapter = 'ide' | 'lsilogic' | 'buslogic' | 'legacyESX';

export interface ConvertOptions {
  input: string;
  output: string;
  format: DiskFormat;
  /** Seed of the disk's ids; format ids are derived from it. */
  seed: string;
  /** SOURCE_DATE_EPOCH, for the VHD footer's timestamp. */
  sourceDateEpoch: number;
  /** qcow2 only: zlib-compressed clusters. */
  compress?: boolean;
  vmdkSubformat?: VmdkSubformat;
  vmdkAdapter?: VmdkAdapter;
  /** vhd only: fixed (Azure) or dynamic; default dynamic. */
  vhdSubformat?: 'fixed' | 'dynamic';
  driver?: DiskDriver;
  signal?: AbortSignal;
}

/** Extension a format's file conventionally carries. */
export function extensionOf(format: DiskFormat): string {
  return format;
}

export async function convertDisk(o: ConvertOptions): Promise<void> {
  const driver = o.driver ?? hostDiskDriver;
  // A VMDK descriptor names its own file, so qemu-img writes under the final name, in a
  // scratch folder beside the output, and the file is renamed into place when complete.
  const scratch = await mkdtemp(join(dirname(o.output), '.imgbuild-convert-'));
  const partial = join(scratch, basename(o.output));
  const args = ['convert', '-q', '-f', 'raw', '-O', o.format === 'vhd' ? 'vpc' : o.format];
  const opts: string[] = [];
  if (o.format === 'qcow2' && o.compress) args.push('-c');
  if (o.format === 'vmdk') {
    opts.push(`subformat=${o.vmdkSubformat ?? 'streamOptimized'}`, `adapter_type=${o.vmdkAdapter ?? 'ide'}`);
  }
  // force_size keeps the raw size exactly instead of rounding to a CHS geometry.
  if (o.format === 'vhd') opts.push(`subformat=${o.vhdSubformat ?? 'dynamic'}`, 'force_size=on');
  if (opts.length > 0) args.push('-o', opts.join(','));
  args.push(o.input, partial);
  try {
    await driver.run('qemu-img', args, o.signal ? { signal: o.signal } : {});
    if (o.format === 'vmdk') await patchFile(partial, (fh) => patchVmdkCid(fh, o.seed));
    if (o.format === 'vhd') await patchFile(partial, (fh) => patchVhd(fh, o.seed, o.sourceDateEpoch));
    if (o.format === 'vhdx') await patchFile(partial, (fh) => patchVhdx(fh, o.seed));
    await rename(partial, o.output);
  } catch (e) {
    if (e instanceof BuildError) throw e;
    throw new BuildError(`convert ${o.input} to ${o.format}: ${e instanceof Error ? e.message : String(e)}`, { code: 'E_DISK_CONVERT', cause: e });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

async function patchFile(path: string, fn: (fh: Handle) => Promise<void>): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fn(fh);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
