// OVA = ustar archive of the OVF descriptor, its manifest, then the disk, in that order
// (OVF spec 1.0 §5.3: the descriptor first so importers can stream). Entries have fixed
// owner, mode and mtime, so equal inputs give equal archives.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { encodeHeader, padding, TAR_END } from '../oci/tar-header.js';
import { hostDiskDriver, type DiskDriver } from './driver.js';
import { convertDisk } from './formats.js';
import { uuidFrom } from './ids.js';
import { ovfEnvelope, type OvfOptions, type ProductInfo } from './ovf.js';
import { vmdkPopulatedBytes } from './vmdk.js';

export interface OvaOptions {
  /** A raw disk image. */
  rawDisk: string;
  output: string;
  name: string;
  seed: string;
  sourceDateEpoch: number;
  cpus?: number;
  memoryMiB?: number;
  diskController?: 'sata' | 'ide';
  nic?: OvfOptions['nic'];
  osId?: number;
  vboxOsType?: string;
  product?: ProductInfo;
  description?: string;
  /** Where the intermediate VMDK goes; default beside the output. */
  tmpDir?: string;
  driver?: DiskDriver;
  signal?: AbortSignal;
}

export interface OvaResult {
  output: string;
  ovf: string;
  manifest: string;
  vmdkSize: number;
}

export async function writeOva(o: OvaOptions): Promise<OvaResult> {
  const base = safeName(o.name);
  const vmdkName = `${base}-disk001.vmdk`;
  // The VMDK descriptor names its own file: convert under the final name, in a scratch dir.
  const scratch = await mkdtemp(join(o.tmpDir ?? dirname(o.output), '.imgbuild-ova-'));
  const vmdk = join(scratch, vmdkName);
  try {
    await convertDisk({ input: o.rawDisk, output: vmdk, format: 'vmdk', vmdkSubformat: 'streamOptimized', seed: o.seed, sourceDateEpoch: o.sourceDateEpoch, driver: o.driver ?? hostDiskDriver, ...(o.signal ? { signal: o.signal } : {}) });
    const [vmdkSize, capacity, populated, vmdkSha] = await Promise.all([
      stat(vmdk).then((s) => s.size),
      stat(o.rawDisk).then((s) => s.size),
      withHandle(vmdk, vmdkPopulatedBytes),
      sha256File(vmdk),
    ]);
    const ovf = ovfEnvelope({
      name: o.name,
      diskFile: vmdkName,
      diskFileSize: vmdkSize,
      capacityBytes: capacity,
      populatedBytes: populated,
      cpus: o.cpus ?? 1,
      memoryMiB: o.memoryMiB ?? 1024,
      diskController: o.diskController ?? 'sata',
      network: 'NAT',
      nic: o.nic ?? 'E1000',
      osId: o.osId ?? 96,
      vboxOsType: o.vboxOsType ?? 'Debian_64',
      diskUuid: uuidFrom(o.seed, 'ovf-disk'),
      ...(o.product ? { product: o.product } : {}),
      ...(o.description !== undefined ? { description: o.description } : {}),
    });
    const ovfBytes = Buffer.from(ovf, 'utf8');
    const manifest = Buffer.from(
      `SHA256(${base}.ovf)= ${createHash('sha256').update(ovfBytes).digest('hex')}\nSHA256(${vmdkName})= ${vmdkSha}\n`,
      'utf8',
    );
    const partial = `${o.output}.partial`;
    const out = createWriteStream(partial);
    const entry = (path: string, size: number): Buffer =>
      encodeHeader({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: o.sourceDateEpoch });
    await pipeline(async function* () {
      yield entry(`${base}.ovf`, ovfBytes.length);
      yield ovfBytes;
      yield padding(ovfBytes.length);
      yield entry(`${base}.mf`, manifest.length);
      yield manifest;
      yield padding(manifest.length);
      yield entry(vmdkName, vmdkSize);
      for await (const chunk of createReadStream(vmdk, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
      yield padding(vmdkSize);
      yield TAR_END;
    }, out);
    await rename(partial, o.output);
    return { output: o.output, ovf, manifest: manifest.toString('utf8'), vmdkSize };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(`${o.output}.partial`, { force: true });
  }
}

/** Names inside the archive: the VM name without path separators or spaces. */
export function safeName(name: string): string {
  return basename(name).replace(/[^A-Za-z0-9._-]+/g, '_') || 'vm';
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function withHandle<T>(path: string, fn: (fh: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  const fh = await open(path, 'r');
  try {
    return await fn(fh);
  } finally {
    await fh.close();
  }
}
