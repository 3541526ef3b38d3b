// Writes a deterministic tar file from named entries (archives of layouts and images):
// fixed modes, root ownership, one mtime for everything.
import { once } from 'node:events';
import { drain } from './drain.js';
import { createWriteStream, type WriteStream } from 'node:fs';
import { wrapFsError } from './errors.js';
import { encodeHeader, padding, TAR_END } from './tar-header.js';

export class TarFileWriter {
  private readonly ws: WriteStream;
  private failed: unknown = null;

  constructor(
    readonly path: string,
    private readonly mtime = 0,
  ) {
    // No fsync: an archive is an output like any other file (skopeo and docker save do not
    // sync either), and syncing 100+ MB cost a fifth of a no-change rebuild.
    this.ws = createWriteStream(path, { highWaterMark: 1 << 20 });
    this.ws.on('error', (e) => (this.failed = e));
  }

  async dir(name: string): Promise<void> {
    await this.raw(encodeHeader({ path: name, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: this.mtime }));
  }

  async file(name: string, size: number, data: Buffer | AsyncIterable<Buffer>): Promise<void> {
    await this.raw(encodeHeader({ path: name, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: this.mtime }));
    let written = 0;
    if (Buffer.isBuffer(data)) {
      await this.raw(data);
      written = data.length;
    } else {
      for await (const c of data) {
        await this.raw(c);
        written += c.length;
      }
    }
    if (written !== size) throw wrapFsError(`write ${this.path}: ${name}`, new Error(`wrote ${written} bytes, expected ${size}`));
    await this.raw(padding(size));
  }

  async close(): Promise<void> {
    await this.raw(TAR_END);
    this.ws.end();
    await once(this.ws, 'close').catch(() => undefined);
    if (this.failed) throw wrapFsError(`write ${this.path}`, this.failed);
  }

  abort(): void {
    this.ws.destroy();
  }

  private async raw(b: Buffer): Promise<void> {
    if (this.failed) throw wrapFsError(`write ${this.path}`, this.failed);
    if (b.length > 0 && !this.ws.write(b)) await drain(this.ws);
  }
}
