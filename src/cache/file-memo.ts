// Results derived from a whole file (the manifest digest of an imported rootfs tarball, the
// image an output archive holds), remembered by the file's identity: device, inode, size,
// and mtime and ctime in nanoseconds. Any write, rename over, chmod or touch changes one of
// them, so a stale result is never reused; the cost of a false miss is only re-deriving it.
// This is what keeps an unchanged rebuild from re-hashing a 170 MB base tarball.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../oci/canonical-json.js';
import { stepsDir } from './settings.js';

export class FileMemo {
  private readonly dir: string;

  constructor(cacheDir: string, private readonly kind: string) {
    this.dir = path.join(stepsDir(cacheDir), 'memo');
  }

  /** The remembered value when `file` is unchanged since `set`, else null. */
  async get(file: string, inputs: unknown): Promise<string | null> {
    const [id, rec] = await Promise.all([identity(file), readFile(this.recordPath(file, inputs), 'utf8').catch(() => null)]);
    if (id === null || rec === null) return null;
    try {
      const r = JSON.parse(rec) as { identity?: unknown; value?: unknown };
      return r.identity === id && typeof r.value === 'string' ? r.value : null;
    } catch {
      return null;
    }
  }

  async set(file: string, inputs: unknown, value: string): Promise<void> {
    const id = await identity(file);
    if (id === null) return;
    const dst = this.recordPath(file, inputs);
    const tmp = `${dst}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, JSON.stringify({ file: path.resolve(file), identity: id, value }));
      await rename(tmp, dst);
    } catch {
      // A memo that cannot be written only means the next build derives the value again.
      await rm(tmp, { force: true });
    }
  }

  private recordPath(file: string, inputs: unknown): string {
    const h = createHash('sha256').update(canonicalJson({ kind: this.kind, file: path.resolve(file), inputs })).digest('hex');
    return path.join(this.dir, `${this.kind}-${h.slice(0, 40)}.json`);
  }
}

async function identity(file: string): Promise<string | null> {
  const st = await stat(file, { bigint: true }).catch(() => null);
  if (st === null || !st.isFile()) return null;
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}
