// Content-addressed blob store in the OCI image-layout shape (`blobs/<alg>/<hex>`), as
// umoci's cas/dir: a blob is written to a temp file while it is hashed, fsynced, then
// renamed to its digest, so a reader never sees a partial blob under a digest name.
import { closeSync, createReadStream, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Digester, parseDigest, shortDigest, type Digest } from './digest.js';
import { OciError, wrapFsError } from './errors.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
  path: string;
}

export class BlobStore {
  constructor(readonly root: string) {}

  path(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.path(digest))).isFile();
    } catch {
      return false;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (e) {
      throw wrapFsError(`stat blob ${shortDigest(digest)}`, e, 'E_OCI_BLOB_UNKNOWN');
    }
  }

  /** A writer that hashes as it writes; `commit` checks `expected` when given. */
  async writer(what = 'blob'): Promise<BlobWriter> {
    const dir = join(this.root, 'blobs', 'sha256');
    await mkdir(dir, { recursive: true }).catch((e: unknown) => {
      throw wrapFsError(`put ${what}`, e);
    });
    return new BlobWriter(this, dir, what);
  }

  async put(data: Buffer | string, what = 'blob'): Promise<BlobInfo> {
    const w = await this.writer(what);
    try {
      await w.write(typeof data === 'string' ? Buffer.from(data) : data);
      return await w.commit();
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  /** Copies a stream in, verifying digest and size when the caller knows them. */
  async putStream(
    src: AsyncIterable<Buffer> | Readable,
    expected?: { digest?: string; size?: number },
    what = 'blob',
  ): Promise<BlobInfo> {
    const w = await this.writer(what);
    try {
      for await (const chunk of src as AsyncIterable<Buffer>) await w.write(chunk);
      return await w.commit(expected);
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  /** Moves an already-hashed file into place (the layer writer hashes while compressing). */
  async adopt(tmpPath: string, digest: Digest, size: number): Promise<BlobInfo> {
    const dst = this.path(digest);
    await mkdir(join(dst, '..'), { recursive: true });
    try {
      await rename(tmpPath, dst);
    } catch (e) {
      throw wrapFsError(`put blob ${shortDigest(digest)}`, e);
    }
    return { digest, size, path: dst };
  }

  open(digest: string): Readable {
    return createReadStream(this.path(digest), { highWaterMark: 1 << 20 });
  }

  /** Reads a whole (small) blob; `verify` re-hashes it, for blobs from untrusted layouts. */
  async read(digest: string, opts: { verify?: boolean } = {}): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await readFile(this.path(digest));
    } catch (e) {
      throw wrapFsError(`read blob ${shortDigest(digest)}`, e, 'E_OCI_BLOB_UNKNOWN');
    }
    if (opts.verify) {
      const d = new Digester(parseDigest(digest).algorithm);
      d.update(data);
      const got = d.digest();
      if (got !== digest) {
        throw new OciError('E_OCI_DIGEST_MISMATCH', `read blob ${shortDigest(digest)}: content has digest ${shortDigest(got)}`);
      }
    }
    return data;
  }

  /** Streams a blob through a hash and fails at the end if the content does not match. */
  async *readVerified(digest: string): AsyncGenerator<Buffer> {
    const d = new Digester(parseDigest(digest).algorithm);
    for await (const chunk of this.open(digest) as AsyncIterable<Buffer>) {
      d.update(chunk);
      yield chunk;
    }
    const got = d.digest();
    if (got !== digest) {
      throw new OciError('E_OCI_DIGEST_MISMATCH', `read blob ${shortDigest(digest)}: content has digest ${shortDigest(got)}`);
    }
  }
}

export class BlobWriter {
  readonly tmpPath: string;
  private readonly digester = new Digester();
  /** Written synchronously: the thread pool is busy compressing, and a blob write queued
   * behind deflate jobs would stall the whole layer pipeline. -1 once closed. */
  private fd: number;

  constructor(
    private readonly store: BlobStore,
    dir: string,
    private readonly what: string,
  ) {
    this.tmpPath = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      this.fd = openSync(this.tmpPath, 'wx', 0o644);
    } catch (e) {
      throw wrapFsError(`put ${what}`, e);
    }
  }

  get size(): number {
    return this.digester.size;
  }

  write(chunk: Buffer): Promise<void> {
    this.digester.update(chunk);
    try {
      for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off, chunk.length - off);
    } catch (e) {
      return Promise.reject(wrapFsError(`put ${this.what}`, e));
    }
    return Promise.resolve();
  }

  async commit(expected?: { digest?: string; size?: number }): Promise<BlobInfo> {
    try {
      // fsync before the rename, so the name never points at content that is not on disk.
      fsyncSync(this.fd);
      this.close();
    } catch (e) {
      await this.abort();
      throw wrapFsError(`put ${this.what}`, e);
    }
    const digest = this.digester.digest();
    const size = this.digester.size;
    if (expected?.digest !== undefined && expected.digest !== digest) {
      await rm(this.tmpPath, { force: true });
      throw new OciError(
        'E_OCI_DIGEST_MISMATCH',
        `put ${this.what} ${shortDigest(expected.digest)}: content has digest ${shortDigest(digest)}`,
      );
    }
    if (expected?.size !== undefined && expected.size !== size) {
      await rm(this.tmpPath, { force: true });
      throw new OciError('E_OCI_SIZE_MISMATCH', `put ${this.what} ${shortDigest(digest)}: size ${size}, expected ${expected.size}`);
    }
    const info = await this.store.adopt(this.tmpPath, digest, size);
    await syncDir(join(info.path, '..'));
    return info;
  }

  async abort(): Promise<void> {
    try {
      this.close();
    } catch {
      // Already failing; the temp file is removed below either way.
    }
    await rm(this.tmpPath, { force: true });
  }

  private close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    closeSync(fd);
  }
}

/** fsync of the directory makes the rename itself durable; best effort (not all fs allow it). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Directories on some filesystems refuse fsync; the data itself is already synced.
  }
}
