// qemu-img writes a random content id (CID) into the VMDK descriptor; it only has to change
// when the content does, so we derive it from the disk's seed.
import type { FileHandle } from 'node:fs/promises';
import { BuildError } from '../core/errors.js';
import { hex32From } from './ids.js';

export async function patchVmdkCid(fh: FileHandle, seed: string): Promise<void> {
  const head = Buffer.alloc(512);
  await fh.read(head, 0, 512, 0);
  if (head.toString('latin1', 0, 4) !== 'KDMV') throw new BuildError('vmdk: qemu-img output has no sparse extent header', { code: 'E_DISK_CONVERT', source: 'internal' });
  const descOffset = Number(head.readBigUInt64LE(28)) * 512;
  const descSize = Number(head.readBigUInt64LE(36)) * 512;
  const desc = Buffer.alloc(descSize);
  await fh.read(desc, 0, descSize, descOffset);
  const text = desc.toString('latin1');
  const at = text.indexOf('\nCID=');
  if (at < 0) throw new BuildError('vmdk: no CID in the descriptor qemu-img wrote', { code: 'E_DISK_CONVERT', source: 'internal' });
  const cid = Buffer.from(hex32From(seed, 'vmdk-cid'), 'latin1');
  await fh.write(cid, 0, 8, descOffset + at + 5);
}

/** A VMDK's descriptor text (for tests and the vmware post-processor). */
export async function readVmdkDescriptor(fh: FileHandle): Promise<string> {
  const head = Buffer.alloc(512);
  await fh.read(head, 0, 512, 0);
  const desc = Buffer.alloc(Number(head.readBigUInt64LE(36)) * 512);
  await fh.read(desc, 0, desc.length, Number(head.readBigUInt64LE(28)) * 512);
  return desc.toString('latin1').replace(/\0+$/, '');
}

/**
 * Bytes of grains a sparse VMDK actually stores (OVF's populatedSize), from its grain tables.
 * streamOptimized files keep the real header (with the grain directory offset) in the footer.
 */
export async function vmdkPopulatedBytes(fh: FileHandle): Promise<number> {
  let head = Buffer.alloc(512);
  await fh.read(head, 0, 512, 0);
  if (head.readBigUInt64LE(56) === 0xffffffffffffffffn) {
    const size = (await fh.stat()).size;
    head = Buffer.alloc(512);
    await fh.read(head, 0, 512, size - 1024);
  }
  if (head.toString('latin1', 0, 4) !== 'KDMV') throw new BuildError('vmdk: no sparse extent header', { code: 'E_DISK_CONVERT', source: 'internal' });
  const capacity = Number(head.readBigUInt64LE(12));
  const grain = Number(head.readBigUInt64LE(20));
  const perGt = head.readUInt32LE(44);
  const gdSector = Number(head.readBigUInt64LE(56));
  const gdEntries = Math.ceil(capacity / (grain * perGt));
  const gd = Buffer.alloc(gdEntries * 4);
  await fh.read(gd, 0, gd.length, gdSector * 512);
  let grains = 0;
  const gt = Buffer.alloc(perGt * 4);
  for (let i = 0; i < gdEntries; i++) {
    const at = gd.readUInt32LE(i * 4);
    if (at === 0) continue;
    await fh.read(gt, 0, gt.length, at * 512);
    // 0: never written; 1: a grain known to be zero. Neither takes space.
    for (let j = 0; j < perGt; j++) if (gt.readUInt32LE(j * 4) > 1) grains++;
  }
  return grains * grain * 512;
}
