// qemu-img's VHDX has random header sequence numbers, FileWrite/DataWrite GUIDs and
// Page83 disk id, and stale log entries. Each is rewritten from the seed (the sequence numbers keep their order,
// which decides the current header), and the header CRC-32C recomputed.
import type { FileHandle } from 'node:fs/promises';
import { BuildError } from '../core/errors.js';
import { crc32c } from './crc32.js';
import { guidToBytes } from './gpt.js';
import { uuidFrom } from './ids.js';

const HEADERS = [64 * 1024, 128 * 1024] as const;
const REGION_TABLE = 192 * 1024;
const METADATA_REGION = '8b7ca206-4790-4b9a-b8fe-575f050f886e';
const PAGE83_ITEM = 'beca12ab-b2e6-4523-93ef-c309e000c746';

export async function patchVhdx(fh: FileHandle, seed: string): Promise<void> {
  const heads = await Promise.all(HEADERS.map(async (off) => {
    const b = Buffer.alloc(4096);
    await fh.read(b, 0, 4096, off);
    if (b.toString('latin1', 0, 4) !== 'head') throw new BuildError(`vhdx: no header at ${off}`, { code: 'E_DISK_CONVERT', source: 'internal' });
    return b;
  }));
  const [h1, h2] = heads as [Buffer, Buffer];
  // With a zero LogGuid the log is never replayed; qemu-img leaves stale entries with random
  // ids in it, so it is cleared.
  for (const h of heads) {
    if (h.subarray(48, 64).some((b) => b !== 0)) throw new BuildError('vhdx: qemu-img left a log to replay; cannot make it reproducible', { code: 'E_DISK_CONVERT', source: 'internal' });
  }
  const logLength = h1.readUInt32LE(68);
  const logOffset = Number(h1.readBigUInt64LE(72));
  if (logLength > 0) await fh.write(Buffer.alloc(logLength), 0, logLength, logOffset);
  const current = h1.readBigUInt64LE(8) >= h2.readBigUInt64LE(8) ? 0 : 1;
  heads.forEach((h, i) => {
    h.writeBigUInt64LE(i === current ? 2n : 1n, 8);
    guidToBytes(uuidFrom(seed, 'vhdx-file-write')).copy(h, 16);
    guidToBytes(uuidFrom(seed, 'vhdx-data-write')).copy(h, 32);
    h.writeUInt32LE(0, 4);
    h.writeUInt32LE(crc32c(h), 4);
  });
  for (let i = 0; i < HEADERS.length; i++) await fh.write(heads[i] as Buffer, 0, 4096, HEADERS[i]);

  const page83 = await page83Offset(fh);
  if (page83 !== null) await fh.write(guidToBytes(uuidFrom(seed, 'vhdx-page83')), 0, 16, page83);
}

async function page83Offset(fh: FileHandle): Promise<number | null> {
  const rt = Buffer.alloc(64 * 1024);
  await fh.read(rt, 0, rt.length, REGION_TABLE);
  const count = rt.readUInt32LE(8);
  const metaGuid = guidToBytes(METADATA_REGION);
  for (let i = 0; i < count; i++) {
    const e = 16 + i * 32;
    if (!rt.subarray(e, e + 16).equals(metaGuid)) continue;
    const region = Number(rt.readBigUInt64LE(e + 16));
    const table = Buffer.alloc(64 * 1024);
    await fh.read(table, 0, table.length, region);
    const items = table.readUInt16LE(10);
    const want = guidToBytes(PAGE83_ITEM);
    for (let j = 0; j < items; j++) {
      const m = 32 + j * 32;
      if (table.subarray(m, m + 16).equals(want)) return region + table.readUInt32LE(m + 16);
    }
  }
  return null;
}
