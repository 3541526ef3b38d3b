// Layer blobs arrive gzip, zstd or plain; the format is sniffed from the magic bytes rather
// than trusted from a media type (docker-archive layers carry none).
import { spawn } from 'node:child_process';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { EnvironmentError } from '../core/errors.js';
import { describeCause, OciError } from './errors.js';

export async function* decompress(src: AsyncIterable<Buffer>, what: string): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  })();
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gz = createGunzip({ chunkSize: 1 << 20 });
    const input = Readable.from(rest);
    input.on('error', (e) => gz.destroy(e));
    input.pipe(gz);
    try {
      for await (const c of gz as AsyncIterable<Buffer>) yield c;
    } catch (e) {
      throw new OciError('E_OCI_LAYER', `${what}: gzip: ${(e as Error).message}`, { cause: e });
    }
    return;
  }
  if (head.readUInt32LE(0) === 0xfd2fb528) {
    yield* unzstd(rest, what);
    return;
  }
  yield* rest;
}

async function* unzstd(src: AsyncIterable<Buffer>, what: string): AsyncGenerator<Buffer> {
  const p = spawn('zstd', ['-d', '-q', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let failure: unknown = null;
  p.on('error', (e) => (failure = e));
  p.stdin.on('error', () => undefined);
  const feeding = (async () => {
    for await (const c of src) if (!p.stdin.write(c)) await new Promise((r) => p.stdin.once('drain', r));
    p.stdin.end();
  })();
  feeding.catch((e: unknown) => (failure = e));
  for await (const c of p.stdout as AsyncIterable<Buffer>) yield c;
  await feeding;
  const code = await new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.on('close', r)));
  if (failure) throw new EnvironmentError(`${what}: zstd: ${describeCause(failure)} (apt-get install zstd)`, { cause: failure });
  if (code !== 0) throw new OciError('E_OCI_LAYER', `${what}: zstd: exit code ${String(code)}`);
}
