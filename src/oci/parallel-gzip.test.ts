import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ParallelGzip } from './parallel-gzip.js';

async function gz(data: Buffer, chunk: number, writes = 3): Promise<Buffer> {
  const out: Buffer[] = [];
  const g = new ParallelGzip((b) => void out.push(Buffer.from(b)), 6, chunk);
  const step = Math.ceil(data.length / writes) || 1;
  for (let i = 0; i < data.length; i += step) await g.write(data.subarray(i, i + step));
  await g.end();
  return Buffer.concat(out);
}

describe('ParallelGzip', () => {
  const text = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(20000));
  const noise = randomBytes(300_000);
  test.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from('a')],
    ['exactly one chunk', text.subarray(0, 65536)],
    ['one chunk plus one byte', text.subarray(0, 65537)],
    ['many chunks of text', text],
    ['incompressible data', noise],
  ])('produces one gzip member that gunzip restores: %s', async (_n, data) => {
    const out = await gz(data, 65536);
    expect(gunzipSync(out).equals(data)).toBe(true);
  });

  test('lets the caller reuse its buffer as soon as write resolves', async () => {
    const data = Buffer.concat([text, noise]);
    const out: Buffer[] = [];
    const g = new ParallelGzip((b) => void out.push(Buffer.from(b)), 6, 65536);
    const scratch = Buffer.alloc(100_000);
    for (let i = 0; i < data.length; i += scratch.length) {
      const n = data.copy(scratch, 0, i, i + scratch.length);
      await g.write(scratch.subarray(0, n));
      scratch.fill(0xaa); // What a reused staging buffer looks like afterwards.
    }
    await g.end();
    expect(gunzipSync(Buffer.concat(out)).equals(data)).toBe(true);
  });

  test('is deterministic whatever the write sizes are', async () => {
    const data = Buffer.concat([text, noise, text]);
    const a = await gz(data, 65536, 1);
    const b = await gz(data, 65536, 37);
    expect(a.equals(b)).toBe(true);
  });

  test('stays within 3% of serial gzip size', async () => {
    const { gzipSync } = await import('node:zlib');
    const serial = gzipSync(text, { level: 6 }).length;
    expect((await gz(text, 512 * 1024)).length).toBeLessThan(serial * 1.03 + 64);
  });
});
