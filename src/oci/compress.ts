// The compressed half of a layer write: uncompressed tar bytes go in, the diff_id is hashed
// on the way in and the blob digest on the way out, in one streaming pass (no second read).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import type { BlobInfo, BlobStore, BlobWriter } from './blob-store.js';
import { Digester, type Digest } from './digest.js';
import { EnvironmentError } from '../core/errors.js';
import { describeCause } from './errors.js';
import { layerMediaType, type Compression } from './media-types.js';
import { ParallelGzip } from './parallel-gzip.js';

export interface LayerBlob extends BlobInfo {
  diffId: Digest;
  mediaType: string;
  /** Size of the uncompressed tar. */
  diffSize: number;
}

export interface CompressOptions {
  compression: Compression;
  /** gzip/zstd level; gzip 6 and zstd 3 by default. */
  level?: number;
}

/**
 * Accepts uncompressed bytes; the caller may reuse a buffer once `write` resolves.
 */
export class LayerBlobSink {
  private readonly diff = new Digester();
  private readonly gzip: ParallelGzip | null = null;
  private readonly zstd: ZstdPipe | null = null;

  private constructor(
    private readonly out: BlobWriter,
    private readonly opts: CompressOptions,
  ) {
    if (opts.compression === 'gzip') this.gzip = new ParallelGzip((b) => out.write(b), opts.level ?? 6);
    if (opts.compression === 'zstd') this.zstd = new ZstdPipe(out, opts.level ?? 3);
  }

  static async create(store: BlobStore, opts: CompressOptions): Promise<LayerBlobSink> {
    return new LayerBlobSink(await store.writer('layer blob'), opts);
  }

  async write(buf: Buffer): Promise<void> {
    this.diff.update(buf);
    if (this.gzip) return this.gzip.write(buf);
    if (this.zstd) return this.zstd.write(buf);
    return this.out.write(Buffer.from(buf));
  }

  async finish(): Promise<LayerBlob> {
    if (this.gzip) await this.gzip.end();
    if (this.zstd) await this.zstd.end();
    const info = await this.out.commit();
    return {
      ...info,
      diffId: this.diff.digest(),
      diffSize: this.diff.size,
      mediaType: layerMediaType(this.opts.compression),
    };
  }

  async abort(): Promise<void> {
    this.zstd?.kill();
    await this.out.abort();
  }
}

/** zstd has no Node binding in Node 20; the CLI is deterministic for a fixed level and -T. */
class ZstdPipe {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly drained: Promise<void>;
  private failure: unknown = null;

  constructor(out: BlobWriter, level: number) {
    const proc = spawn('zstd', [`-${level}`, '-T2', '-q', '-c', '--no-check'], { stdio: 'pipe' });
    this.proc = proc;
    proc.on('error', (e) => {
      this.failure = e;
    });
    this.drained = (async () => {
      for await (const chunk of proc.stdout as AsyncIterable<Buffer>) await out.write(chunk);
    })();
    this.drained.catch((e: unknown) => {
      this.failure = e;
    });
  }

  async write(buf: Buffer): Promise<void> {
    this.check();
    if (!this.proc.stdin.write(Buffer.from(buf))) await once(this.proc.stdin, 'drain');
  }

  async end(): Promise<void> {
    this.proc.stdin.end();
    const [code] = (await once(this.proc, 'close')) as [number | null];
    await this.drained;
    this.check();
    if (code !== 0) throw new EnvironmentError(`compress layer with zstd: exit code ${String(code)}`);
  }

  kill(): void {
    this.proc.kill();
  }

  private check(): void {
    if (this.failure === null) return;
    const code = (this.failure as NodeJS.ErrnoException).code;
    throw new EnvironmentError(
      code === 'ENOENT' ? 'compress layer with zstd: zstd not found (apt-get install zstd)' : `compress layer with zstd: ${describeCause(this.failure)}`,
      { cause: this.failure },
    );
  }
}
