// The layer store shared by all builds: each base layer is extracted once, keyed by its
// diff_id, into `<cache>/layers/sha256/<hex>`, a directory usable directly as an overlay
// lowerdir. Extraction goes to a temp dir that is renamed into place, and a lock file makes
// concurrent builds wait for one extractor instead of racing.
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ImgbuildError } from '../core/errors.js';
import { defaultCacheDir } from './cache-dir.js';
import { decompress } from './decompress.js';
import { Digester, parseDigest, shortDigest } from './digest.js';
import { OciError, wrapFsError } from './errors.js';
import { extractLayer } from './extract.js';
import { acquire } from './lock.js';

export interface LayerStoreOptions {
  root?: string;
  allowDevices?: boolean;
  onWarning?: (message: string) => void;
  /** How long to wait for another process extracting the same layer. */
  lockTimeoutMs?: number;
}

export class LayerStore {
  readonly root: string;
  constructor(private readonly opts: LayerStoreOptions = {}) {
    this.root = opts.root ?? defaultCacheDir();
  }

  dirFor(diffId: string): string {
    const { algorithm, hex } = parseDigest(diffId);
    return join(this.root, 'layers', algorithm, hex);
  }

  async has(diffId: string): Promise<boolean> {
    return (await stat(this.dirFor(diffId)).catch(() => null))?.isDirectory() ?? false;
  }

  /**
   * Extracts the layer blob (gzip, zstd or plain tar) once and returns its directory. The
   * uncompressed stream is hashed on the way and must match `diffId`.
   */
  async ensureExtracted(layerBlobPath: string, diffId: string): Promise<string> {
    const dir = this.dirFor(diffId);
    if (await this.has(diffId)) return dir;
    const what = `layer ${shortDigest(diffId)}`;
    await mkdir(join(dir, '..'), { recursive: true }).catch((e: unknown) => {
      throw wrapFsError(`extract ${what}`, e);
    });
    const release = await acquire(`${dir}.lock`, `extract ${what}`, this.opts.lockTimeoutMs ?? 30 * 60_000, () => this.has(diffId));
    if (release === null) return dir;
    const tmp = join(this.root, 'layers', `.tmp-${randomBytes(6).toString('hex')}`);
    const d = new Digester(parseDigest(diffId).algorithm);
    const hashed = (async function* () {
      for await (const c of decompress(createReadStream(layerBlobPath, { highWaterMark: 1 << 20 }), what)) {
        d.update(c);
        yield c;
      }
    })();
    try {
      await mkdir(tmp, { mode: 0o755 });
      await extractLayer(hashed, tmp, {
        mode: 'overlay',
        what,
        ...(this.opts.allowDevices === undefined ? {} : { allowDevices: this.opts.allowDevices }),
        ...(this.opts.onWarning ? { onWarning: this.opts.onWarning } : {}),
      });
      // Trailing bytes after the end-of-archive blocks still count towards the diff_id.
      for await (const c of hashed) void c;
      const got = d.digest();
      if (got !== diffId) {
        throw new OciError('E_OCI_DIGEST_MISMATCH', `extract ${what}: uncompressed content has diff_id ${shortDigest(got)}`);
      }
      await rename(tmp, dir).catch((e: unknown) => {
        throw wrapFsError(`extract ${what}`, e);
      });
      return dir;
    } catch (e) {
      await hashed.return(undefined).catch(() => undefined); // closes the blob file
      await rm(tmp, { recursive: true, force: true });
      throw e instanceof ImgbuildError ? e : wrapFsError(`extract ${what} from ${layerBlobPath}`, e);
    } finally {
      await release();
    }
  }
}
