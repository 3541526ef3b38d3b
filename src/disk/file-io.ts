// Positioned reads and writes that finish the whole range (a single read or write may do less).
import type { FileHandle } from 'node:fs/promises';
import { BuildError } from '../core/errors.js';

export async function readAt(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new BuildError(`read: the file ends at byte ${position + done}, before ${position + length}`, { code: 'E_DISK_SHORT_READ', source: 'internal' });
    done += bytesRead;
  }
  return buf;
}

export async function writeAt(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) done += (await fh.write(data, done, data.length - done, position + done)).bytesWritten;
}
