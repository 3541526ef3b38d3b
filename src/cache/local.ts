// The local step cache: `<cache>/steps/<key>.json` beside the shared blob store. An entry is
// written only after its layer blob is durably in the store, and atomically (temp file,
// fsync, rename, fsync of the directory), so a crash never leaves an entry pointing at a
// missing or partial layer; an entry whose blob has gone is treated as a miss.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BlobStore, syncDir } from '../oci/blob-store.js';
import { ImgbuildError } from '../core/errors.js';
import { parseEntry, type CacheEntry } from './entry.js';
import { isKey } from './key.js';
import { stepsDir } from './settings.js';

export class LocalStepCache {
  readonly dir: string;
  readonly blobs: BlobStore;

  constructor(readonly cacheDir: string) {
    this.dir = stepsDir(cacheDir);
    this.blobs = new BlobStore(cacheDir);
  }

  entryPath(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  /** The entry for `key` when it and its layer blob are both present. */
  async get(key: string): Promise<CacheEntry | null> {
    const data = await readFile(this.entryPath(key)).catch(() => null);
    if (data === null) return null;
    const e = parseEntry(data);
    if (e === null || e.key !== key) return null;
    if (e.layer !== null && !(await this.blobs.has(e.layer.digest))) return null;
    return e;
  }

  /** Stores an entry; its layer blob must already be in the blob store. */
  async put(entry: CacheEntry): Promise<void> {
    if (entry.layer !== null && !(await this.blobs.has(entry.layer.digest))) {
      throw new ImgbuildError('E_CACHE', `step cache: put entry ${entry.key.slice(0, 12)}: layer ${entry.layer.digest} is not in the blob store`, { source: 'internal' });
    }
    await this.write(entry, true);
  }

  /** Records a hit. Not fsynced: losing a last-used time in a crash costs nothing. */
  async touch(entry: CacheEntry, now = new Date()): Promise<void> {
    await this.write({ ...entry, lastUsed: now.toISOString() }, false).catch(() => undefined);
  }

  async list(): Promise<CacheEntry[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: CacheEntry[] = [];
    for (const n of names.sort()) {
      const key = n.replace(/\.json$/, '');
      if (!n.endsWith('.json') || !isKey(key)) continue;
      const e = parseEntry(await readFile(path.join(this.dir, n)).catch(() => Buffer.alloc(0)));
      if (e !== null && e.key === key) out.push(e);
    }
    return out;
  }

  async remove(key: string): Promise<void> {
    await rm(this.entryPath(key), { force: true });
  }

  private async write(entry: CacheEntry, durable: boolean): Promise<void> {
    const dst = this.entryPath(entry.key);
    const tmp = path.join(this.dir, `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(this.dir, { recursive: true });
      if (durable) {
        const fh = await open(tmp, 'w', 0o644);
        try {
          await fh.writeFile(`${JSON.stringify(entry, null, 2)}\n`);
          await fh.sync();
        } finally {
          await fh.close();
        }
      } else {
        await writeFile(tmp, `${JSON.stringify(entry, null, 2)}\n`);
      }
      await rename(tmp, dst);
      if (durable) await syncDir(this.dir);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new ImgbuildError('E_CACHE', `step cache: write entry ${entry.key.slice(0, 12)}: ${(e as Error).message}`, { source: 'environment', cause: e });
    }
  }
}
