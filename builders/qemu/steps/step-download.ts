// Resolves iso_url/iso_urls to a verified local file. Local paths and file:// URLs are
// verified where they are; http(s) URLs are downloaded once into
// $IMGBUILD_CACHE_DIR/downloads (named by the URL's hash) and verified on every use, so a
// corrupt or replaced cache entry is fetched again rather than booted.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildError, CancelledError, errorMessage } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_BUILD_DIR, QEMU_SOURCE } from '../state.js';

export class StepDownload implements Step {
  readonly name = 'download';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const failures: string[] = [];
    for (const url of this.config.isoUrls) {
      if (ctx.signal.aborted) throw new CancelledError();
      try {
        const checksum = await this.checksumFor(url, ctx);
        const file = await this.fetchOne(url, checksum, ctx);
        ctx.state.set(QEMU_SOURCE, file);
        return;
      } catch (e) {
        if (e instanceof CancelledError || ctx.signal.aborted) throw new CancelledError();
        failures.push(errorMessage(e));
      }
    }
    throw new BuildError(failures.length === 1 ? (failures[0] ?? '') : `iso_urls: every source failed: ${failures.join(' | ')}`, { code: 'E_DOWNLOAD' });
  }

  private async fetchOne(url: string, checksum: Checksum | null, ctx: StepContext): Promise<string> {
    if (/^https?:\/\//i.test(url)) {
      const dir = path.join(this.driver.cacheDir, 'downloads');
      await mkdir(dir, { recursive: true });
      const base = path.posix.basename(new URL(url).pathname) || 'download';
      const file = path.join(dir, `${createHash('sha256').update(url).digest('hex').slice(0, 16)}-${base}`);
      if (await isFile(file)) {
        if (checksum === null || (await this.matches(file, checksum, ctx))) {
          ctx.ui.say(`Using cached ${url}`);
          return file;
        }
        ctx.ui.warn(`Cached copy of ${url} does not match iso_checksum; downloading it again`);
        await rm(file, { force: true });
      }
      ctx.ui.say(`Downloading ${url}`);
      await this.driver.download(url, file, ctx.signal);
      if (checksum !== null) await this.verify(file, url, checksum, ctx);
      return file;
    }
    const file = url.startsWith('file://') ? fileURLToPath(url) : url;
    if (!(await isFile(file))) throw new BuildError(`iso_url ${url}: no such file; check the path (relative paths start at the template folder)`);
    if (checksum !== null) await this.verify(file, url, checksum, ctx);
    return file;
  }

  /** iso_checksum as a digest; "file:" reads the line for this URL's file name from a checksum file. */
  private async checksumFor(url: string, ctx: StepContext): Promise<Checksum | null> {
    const spec = this.config.isoChecksum;
    if (!spec.startsWith('file:')) return parseChecksum(spec);
    const where = spec.slice('file:'.length);
    let text: string;
    try {
      if (/^https?:\/\//i.test(where)) {
        const tmp = path.join(ctx.state.require(QEMU_BUILD_DIR), `checksums-${createHash('sha256').update(where).digest('hex').slice(0, 8)}`);
        await this.driver.download(where, tmp, ctx.signal);
        text = await readFile(tmp, 'utf8');
      } else {
        text = await readFile(where.startsWith('file://') ? fileURLToPath(where) : where, 'utf8');
      }
    } catch (e) {
      if (ctx.signal.aborted) throw new CancelledError();
      throw new BuildError(`iso_checksum: cannot read checksum file ${where}: ${errorMessage(e)}`, { cause: e });
    }
    const name = path.posix.basename(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? new URL(url).pathname : url);
    const found = checksumFromFile(text, name);
    if (found === null) throw new BuildError(`iso_checksum: checksum file ${where} has no line for ${name}; check that it lists the file iso_url names`, { code: 'E_CHECKSUM' });
    return found;
  }

  private async matches(file: string, c: Checksum, ctx: StepContext): Promise<boolean> {
    return (await this.driver.hashFile(file, c.algorithm, ctx.signal)) === c.hex;
  }

  private async verify(file: string, url: string, c: Checksum, ctx: StepContext): Promise<void> {
    ctx.ui.say(`Verifying ${c.algorithm} checksum of ${path.basename(file)}`);
    const got = await this.driver.hashFile(file, c.algorithm, ctx.signal);
    if (got !== c.hex) {
      throw new BuildError(`iso_checksum: ${url} has ${c.algorithm} ${got}, expected ${c.hex}; the file is corrupt or not the one the template names`, { code: 'E_CHECKSUM' });
    }
  }
}

export interface Checksum {
  algorithm: 'md5' | 'sha1' | 'sha256' | 'sha512';
  hex: string;
}

/** "sha256:HEX", a bare hex digest (type from its length), or "none" (null). */
export function parseChecksum(text: string): Checksum | null {
  if (text === 'none') return null;
  const m = /^(?:(md5|sha1|sha256|sha512):)?([0-9a-fA-F]+)$/.exec(text);
  const byLength: Record<number, Checksum['algorithm']> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };
  const algorithm = (m?.[1] as Checksum['algorithm'] | undefined) ?? byLength[m?.[2]?.length ?? 0];
  if (!m || algorithm === undefined) throw new BuildError(`iso_checksum: "${text}" is not "<type>:<hex>" or a bare md5/sha1/sha256/sha512 digest`);
  return { algorithm, hex: (m[2] ?? '').toLowerCase() };
}

/**
 * The digest for `name` in a checksum file: GNU ("HEX  name", "HEX *name") or BSD
 * ("SHA256 (name) = HEX") lines. The algorithm comes from the BSD tag, else the digest's
 * length.
 */
export function checksumFromFile(text: string, name: string): Checksum | null {
  for (const line of text.split(/\r?\n/)) {
    const bsd = /^(MD5|SHA1|SHA256|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)$/.exec(line.trim());
    if (bsd && path.posix.basename(bsd[2] ?? '') === name) {
      return { algorithm: (bsd[1] ?? '').toLowerCase() as Checksum['algorithm'], hex: (bsd[3] ?? '').toLowerCase() };
    }
    const gnu = /^([0-9a-fA-F]{32,128})\s+\*?(.+)$/.exec(line.trim());
    if (gnu && path.posix.basename((gnu[2] ?? '').replace(/^\.\//, '')) === name) return parseChecksum(gnu[1] ?? '');
  }
  return null;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
