// Parallel gzip, pigz's way: the stream is cut at fixed offsets into chunks, each chunk is
// raw-deflated independently on libuv's thread pool (primed with the previous chunk's last
// 32 KiB as dictionary, so the ratio stays close to a serial gzip), non-final chunks end
// with a sync flush so the pieces concatenate into one deflate stream, and the CRC-32 is
// computed over the uncompressed bytes here. Cut points depend only on offsets, so the
// output is a pure function of (input, level, chunk size) — deterministic.
import { constants, crc32, deflateRaw, type ZlibOptions } from 'node:zlib';

const DICT_SIZE = 32 * 1024;
export const DEFAULT_CHUNK = 512 * 1024;

export type Sink = (chunk: Buffer) => Promise<void> | void;

export class ParallelGzip {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private dict: Buffer | null = null;
  private crc = 0;
  private total = 0;
  private readonly inflight: Array<Promise<Buffer>> = [];
  private headerWritten = false;

  constructor(
    private readonly sink: Sink,
    private readonly level = 6,
    private readonly chunkSize = DEFAULT_CHUNK,
    private readonly maxInflight = 8,
  ) {}

  async write(buf: Buffer): Promise<void> {
    if (!this.headerWritten) await this.header();
    this.crc = crc32(buf, this.crc);
    this.total += buf.length;
    // Callers reuse their buffer once write() resolves: what stays pending must be our copy.
    this.pending.push(Buffer.from(buf));
    this.pendingLen += buf.length;
    while (this.pendingLen >= this.chunkSize) await this.submit(this.take(this.chunkSize), false);
  }

  async end(): Promise<void> {
    if (!this.headerWritten) await this.header();
    await this.submit(this.take(this.pendingLen), true);
    while (this.inflight.length > 0) await this.sink(await (this.inflight.shift() as Promise<Buffer>));
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.total % 0x100000000, 4);
    await this.sink(trailer);
  }

  private async header(): Promise<void> {
    this.headerWritten = true;
    // mtime 0, no name, OS = 3 (Unix) fixed; XFL as zlib sets it for the level.
    const xfl = this.level >= 9 ? 2 : this.level <= 1 ? 4 : 0;
    await this.sink(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3]));
  }

  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingLen);
    const chunk = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingLen = rest.length;
    return chunk;
  }

  private async submit(chunk: Buffer, final: boolean): Promise<void> {
    const opts: ZlibOptions = {
      level: this.level,
      finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      // One output buffer per chunk instead of many 16 KiB ones to concatenate: less GC.
      chunkSize: 256 * 1024,
    };
    if (this.dict) opts.dictionary = this.dict;
    const own = chunk;
    this.dict = own.length >= DICT_SIZE ? own.subarray(own.length - DICT_SIZE) : Buffer.concat([this.dict ?? Buffer.alloc(0), own]).subarray(-DICT_SIZE);
    const job = new Promise<Buffer>((resolve, reject) => deflateRaw(own, opts, (err, out) => (err ? reject(err) : resolve(out))));
    // Awaited in order later; until then a failure must not count as an unhandled rejection.
    job.catch(() => undefined);
    this.inflight.push(job);
    if (this.inflight.length >= this.maxInflight) await this.sink(await (this.inflight.shift() as Promise<Buffer>));
  }
}
