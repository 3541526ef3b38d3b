// The VHD footer qemu-img writes holds the creation time and a random unique id; a dynamic
// VHD keeps a copy of the footer in its first sector. Both are rewritten from the seed and
// SOURCE_DATE_EPOCH, with the footer checksum recomputed.
import type { FileHandle } from 'node:fs/promises';
import { BuildError } from '../core/errors.js';
import { bytesFrom } from './ids.js';

/** VHD timestamps count seconds from 2000-01-01T00:00:00Z. */
const VHD_EPOCH = 946684800;

export async function patchVhd(fh: FileHandle, seed: string, sourceDateEpoch: number): Promise<void> {
  const size = (await fh.stat()).size;
  const id = bytesFrom(seed, 'vhd-unique-id', 16);
  const stamp = Math.max(0, sourceDateEpoch - VHD_EPOCH);
  const at = [size - 512];
  const first = Buffer.alloc(512);
  await fh.read(first, 0, 512, 0);
  if (first.toString('latin1', 0, 8) === 'conectix') at.push(0);
  for (const off of at) {
    const f = Buffer.alloc(512);
    await fh.read(f, 0, 512, off);
    if (f.toString('latin1', 0, 8) !== 'conectix') throw new BuildError(`vhd: no footer at ${off}`, { code: 'E_DISK_CONVERT', source: 'internal' });
    f.writeUInt32BE(stamp, 24);
    id.copy(f, 68);
    f.writeUInt32BE(0, 64);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += f[i] ?? 0;
    f.writeUInt32BE(~sum >>> 0, 64);
    await fh.write(f, 0, 512, off);
  }
}
