// How disk post-processors find a disk in their input artifact, and the state keys they
// leave for the next one. A container image becomes a raw disk first; a disk artifact (ours
// or a qemu build's files) is used as it is, converted to raw when it is another format.
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BuildError } from '../core/errors.js';
import type { Journal } from '../core/journal-types.js';
import type { Artifact } from '../core/plugin.js';
import { STATE_MANIFEST_DIGEST, STATE_OCI_LAYOUT } from '../oci/artifact-state.js';
import { hostDiskDriver, type DiskDriver } from './driver.js';
import { rootfsToRawDisk, type Bootloader } from './raw-disk.js';

/** Path of the raw disk an artifact carries. */
export const STATE_DISK_RAW = 'diskRaw';
/** Seed the disk's ids were derived from; later formats derive theirs from it. */
export const STATE_DISK_SEED = 'diskSeed';

const BY_EXTENSION: Record<string, string> = { '.raw': 'raw', '.img': 'raw', '.qcow2': 'qcow2', '.vmdk': 'vmdk', '.vhd': 'vpc', '.vhdx': 'vhdx' };

export interface RawInput {
  raw: string;
  seed: string;
  /** True when `raw` was made here, in workDir, and the caller should delete it. */
  temporary: boolean;
}

export interface RawInputOptions {
  who: string;
  workDir: string;
  sourceDateEpoch: number;
  sizeBytes?: number;
  kernelArgs?: string;
  /** Default guest; see rootfsToRawDisk. */
  bootloader?: Bootloader;
  /** Called when a disk is built with bootloader "host", so the caller can warn. */
  onHostBootloader?: () => void;
  driver?: DiskDriver;
  signal?: AbortSignal;
  journal?: Journal;
  /** Where to put a disk built from a container image; default workDir/disk.raw (temporary). */
  rawOutput?: string;
}

export async function rawDiskForArtifact(input: Artifact, o: RawInputOptions): Promise<RawInput> {
  const sig = o.signal ? { signal: o.signal } : {};
  const stateRaw = input.state[STATE_DISK_RAW];
  const stateSeed = input.state[STATE_DISK_SEED];
  if (typeof stateRaw === 'string' && typeof stateSeed === 'string') return { raw: stateRaw, seed: stateSeed, temporary: false };

  const layout = input.state[STATE_OCI_LAYOUT];
  const digest = input.state[STATE_MANIFEST_DIGEST];
  if (typeof layout === 'string' && typeof digest === 'string') {
    const out = o.rawOutput ?? join(o.workDir, 'disk.raw');
    if (o.bootloader === 'host') o.onHostBootloader?.();
    const r = await rootfsToRawDisk({
      ociLayout: layout,
      ref: digest,
      output: out,
      sourceDateEpoch: o.sourceDateEpoch,
      tmpDir: o.workDir,
      ...(o.sizeBytes !== undefined ? { sizeBytes: o.sizeBytes } : {}),
      ...(o.kernelArgs !== undefined ? { kernelArgs: o.kernelArgs } : {}),
      ...(o.bootloader !== undefined ? { bootloader: o.bootloader } : {}),
      ...(o.driver ? { driver: o.driver } : {}),
      ...(o.journal ? { journal: o.journal } : {}),
      ...sig,
    });
    return { raw: out, seed: r.seed, temporary: o.rawOutput === undefined };
  }

  // The qemu builder's artifact (Packer's keys): the disk path and its qemu-img format.
  const qemuPath = input.state['diskPath'];
  const qemuType = input.state['diskType'];
  const file =
    typeof qemuPath === 'string' ? qemuPath : input.files.find((f) => BY_EXTENSION[extname(f).toLowerCase()] !== undefined);
  if (file === undefined) {
    throw new BuildError(
      `${o.who}: artifact from ${input.builderId} has no disk (expects a container image, or a .raw/.img/.qcow2/.vmdk/.vhd/.vhdx file); put a container build or the disk post-processor before it`,
      { code: 'E_DISK_INPUT' },
    );
  }
  const seed = await fileSeed(file);
  const format = typeof qemuPath === 'string' && typeof qemuType === 'string' ? qemuType : (BY_EXTENSION[extname(file).toLowerCase()] ?? 'raw');
  if (format === 'raw') return { raw: file, seed, temporary: false };
  const raw = join(o.workDir, 'input.raw');
  await (o.driver ?? hostDiskDriver).run('qemu-img', ['convert', '-q', '-f', format, '-O', 'raw', file, raw], sig);
  return { raw, seed, temporary: true };
}

/** A seed for a disk we did not build: its size and first and last MiB (GPT lives there). */
async function fileSeed(path: string): Promise<string> {
  const size = (await stat(path)).size;
  const fh = await open(path, 'r');
  try {
    const n = Math.min(size, 1 << 20);
    const head = Buffer.alloc(n);
    const tail = Buffer.alloc(n);
    await fh.read(head, 0, n, 0);
    await fh.read(tail, 0, n, size - n);
    return createHash('sha256').update(String(size)).update(head).update(tail).digest('hex');
  } finally {
    await fh.close();
  }
}

/** SOURCE_DATE_EPOCH from the environment, as the other reproducible writers read it. */
export function sourceDateEpochFromEnv(): number {
  const n = Number(process.env['SOURCE_DATE_EPOCH'] ?? '0');
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
