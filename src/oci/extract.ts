// Safe extraction of untrusted layer tars. Nothing is ever written outside `root`:
// `..` components are rejected, absolute paths are taken as relative to the root, every
// parent component is lstat'ed inside the root and a symlink there is refused (so no write
// goes through a link planted by the same or an earlier layer), the final component is
// unlinked before it is created with O_EXCL|O_NOFOLLOW, hardlinks may only point at regular
// files already inside the root, and device nodes are made only when allowed and root.
import { spawn } from 'node:child_process';
import { fsx } from './extract-fs.js';
import { join } from 'node:path';
import { OciError, wrapFsError } from './errors.js';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './layer-writer.js';
import { readTar, type TarReadEntry } from './tar-reader.js';
import { setXattr } from './xattr.js';

export interface ExtractOptions {
  /**
   * `merged`: apply onto a flattened tree (whiteouts delete lower entries).
   * `overlay`: the directory will be an overlayfs lowerdir (whiteouts become 0:0 char
   * devices and `.wh..wh..opq` the opaque xattr).
   */
  mode: 'merged' | 'overlay';
  /** Create device nodes from the tar (only effective as root); else they are skipped. */
  allowDevices?: boolean;
  onWarning?: (message: string) => void;
  /** Names the layer in messages, e.g. `layer sha256:0123456789ab`. */
  what?: string;
}

export interface ExtractStats {
  entries: number;
  skipped: number;
}

const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

export async function extractLayer(src: AsyncIterable<Buffer>, root: string, opts: ExtractOptions): Promise<ExtractStats> {
  const x = new Extractor(root, opts);
  for await (const entry of readTar(src, opts.what ?? 'layer')) await x.apply(entry);
  await x.finish();
  return { entries: x.entries, skipped: x.skipped };
}

/** Splits a stored path into safe components; throws on `..`. Leading `/` and `./` are dropped. */
export function cleanPath(p: string, what: string): string[] {
  if (p.includes('\0')) throw new OciError('E_OCI_UNSAFE_PATH', `${what}: ${JSON.stringify(p)}: NUL in path`);
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw new OciError('E_OCI_UNSAFE_PATH', `${what}: ${JSON.stringify(p)}: path contains ".."`);
  return parts;
}

class Extractor {
  entries = 0;
  skipped = 0;
  private readonly what: string;
  /** Directories verified to be real directories inside the root (relative paths). */
  private readonly dirs = new Set<string>(['']);
  /** Paths this layer created, so an opaque marker never removes them. */
  private readonly created = new Set<string>();
  private readonly dirMeta: Array<{ rel: string; mode: number; mtime: number }> = [];
  private readonly opaque: string[] = [];

  constructor(
    private readonly root: string,
    private readonly opts: ExtractOptions,
  ) {
    this.what = opts.what ?? 'layer';
  }

  async apply(e: TarReadEntry): Promise<void> {
    this.entries++;
    const parts = cleanPath(e.path, this.what);
    const name = parts.at(-1);
    if (name === undefined) return; // The root itself: its metadata belongs to the store.
    const parent = parts.slice(0, -1);
    const rel = parts.join('/');
    if (name.startsWith(WHITEOUT_PREFIX)) return this.whiteout(parent, name, e);
    await this.ensureParent(parent);
    const abs = join(this.root, rel);
    this.created.add(rel);
    try {
      switch (e.type) {
        case 'dir':
          await this.makeDir(rel, abs, e);
          return;
        case 'file':
          await this.replace(rel, abs);
          await this.writeFile(abs, e);
          break;
        case 'symlink':
          await this.replace(rel, abs);
          await fsx.symlink(e.linkname, abs);
          break;
        case 'hardlink':
          await this.replace(rel, abs);
          await fsx.link(await this.hardlinkTarget(e), abs);
          return; // Shares the target's inode and metadata.
        case 'char':
        case 'block':
        case 'fifo':
          if (!(await this.special(rel, abs, e))) return;
          break;
      }
    } catch (err) {
      if (err instanceof OciError) throw err;
      throw wrapFsError(`${this.what}: extract ${rel}`, err);
    }
    await this.setMeta(abs, e);
  }

  async finish(): Promise<void> {
    for (const dir of this.opaque) await this.applyOpaque(dir);
    // Deepest first, so setting a parent's mtime is not undone by touching a child.
    this.dirMeta.sort((a, b) => b.rel.length - a.rel.length);
    for (const d of this.dirMeta) {
      const abs = join(this.root, d.rel);
      await fsx.chmod(abs, d.mode & 0o7777);
      await fsx.utimes(abs, d.mtime, d.mtime);
    }
  }

  /**
   * Each parent component must be a real directory; missing ones are created, or with
   * `create` false the walk stops and says so (a whiteout under a missing dir is a no-op).
   */
  private async ensureParent(parts: string[], create = true): Promise<boolean> {
    let rel = '';
    for (const c of parts) {
      rel = rel === '' ? c : `${rel}/${c}`;
      // A parent this layer writes into belongs to the layer: an opaque marker keeps it.
      this.created.add(rel);
      if (this.dirs.has(rel)) continue;
      const abs = join(this.root, rel);
      const st = await fsx.lstat(abs).catch(() => null);
      if (st === null && !create) return false;
      if (st === null) {
        await fsx.mkdir(abs, { mode: 0o755 }).catch((e: unknown) => {
          throw wrapFsError(`${this.what}: create ${rel}`, e);
        });
      } else if (st.isSymbolicLink()) {
        throw new OciError('E_OCI_UNSAFE_PATH', `${this.what}: ${rel}: refusing to extract through a symlink`);
      } else if (!st.isDirectory()) {
        throw new OciError('E_OCI_UNSAFE_PATH', `${this.what}: ${rel}: not a directory`);
      }
      this.dirs.add(rel);
    }
    return true;
  }

  /** Removes whatever is at `abs` (never following it) unless it is a directory we keep. */
  private async replace(rel: string, abs: string): Promise<void> {
    const st = await fsx.lstat(abs).catch(() => null);
    if (st === null) return;
    await fsx.rm(abs, { recursive: true, force: true });
    if (st.isDirectory()) this.forgetDirs(rel);
  }

  private forgetDirs(rel: string): void {
    for (const d of this.dirs) if (d === rel || d.startsWith(`${rel}/`)) this.dirs.delete(d);
  }

  private async makeDir(rel: string, abs: string, e: TarReadEntry): Promise<void> {
    const st = await fsx.lstat(abs).catch(() => null);
    if (st && !st.isDirectory()) await fsx.rm(abs, { recursive: false, force: true });
    if (!st || !st.isDirectory()) await fsx.mkdir(abs, { mode: 0o700 });
    this.dirs.add(rel);
    if (IS_ROOT) await fsx.lchown(abs, e.uid, e.gid);
    await this.setXattrs(abs, e);
    // Owner keeps rwx until finish(), so a read-only dir can still receive its children.
    await fsx.chmod(abs, (e.mode & 0o7777) | 0o700);
    this.dirMeta.push({ rel, mode: e.mode, mtime: e.mtime });
  }

  private async writeFile(abs: string, e: TarReadEntry): Promise<void> {
    const fd = fsx.createExclusive(abs);
    try {
      for await (const chunk of e.body()) fsx.writeAll(fd, chunk);
    } finally {
      fsx.close(fd);
    }
  }

  private async hardlinkTarget(e: TarReadEntry): Promise<string> {
    const parts = cleanPath(e.linkname, this.what);
    const target = parts.join('/');
    if (parts.length === 0) throw new OciError('E_OCI_UNSAFE_PATH', `${this.what}: ${e.path}: hardlink to the root`);
    // Each parent of the target must be a real directory too: no escape through a symlink.
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const st = this.dirs.has(p) ? null : await fsx.lstat(join(this.root, p)).catch(() => undefined);
      if (st === undefined) {
        throw new OciError('E_OCI_UNSAFE_PATH', `${this.what}: ${e.path}: hardlink target ${target} does not exist in the layer`);
      }
      if (st !== null && !st.isDirectory()) {
        throw new OciError('E_OCI_UNSAFE_PATH', `${this.what}: ${e.path}: hardlink target ${target} is not inside the layer`);
      }
    }
    const abs = join(this.root, target);
    const st = await fsx.lstat(abs).catch(() => null);
    if (!st || !st.isFile()) {
      throw new OciError(
        'E_OCI_UNSAFE_PATH',
        `${this.what}: ${e.path}: hardlink target ${target} ${st ? 'is not a regular file' : 'does not exist in the layer'}`,
      );
    }
    return abs;
  }

  private async special(rel: string, abs: string, e: TarReadEntry): Promise<boolean> {
    if (e.type !== 'fifo' && !(this.opts.allowDevices && IS_ROOT)) {
      this.skipped++;
      this.created.delete(rel);
      this.opts.onWarning?.(`${this.what}: ${rel}: device node skipped (${IS_ROOT ? 'not allowed' : 'not running as root'})`);
      return false;
    }
    await this.replace(rel, abs);
    const args = e.type === 'fifo' ? [abs, 'p'] : [abs, e.type === 'char' ? 'c' : 'b', String(e.devmajor), String(e.devminor)];
    await mknod(args);
    return true;
  }

  private async setMeta(abs: string, e: TarReadEntry): Promise<void> {
    if (IS_ROOT) await fsx.lchown(abs, e.uid, e.gid);
    if (e.type === 'symlink') {
      await fsx.lutimes(abs, e.mtime, e.mtime);
      return;
    }
    await this.setXattrs(abs, e);
    await fsx.chmod(abs, e.mode & 0o7777);
    await fsx.utimes(abs, e.mtime, e.mtime);
  }

  /** Only capabilities and plain user attributes: overlay and trusted ones would let a layer
   * forge whiteouts, redirects or opaque dirs in the lowerdir. */
  private async setXattrs(abs: string, e: TarReadEntry): Promise<void> {
    for (const [k, v] of e.xattrs) {
      const ok = k === 'security.capability' || (k.startsWith('user.') && !k.startsWith('user.overlay.'));
      if (!ok) {
        this.opts.onWarning?.(`${this.what}: ${e.path}: xattr ${k} ignored`);
        continue;
      }
      await setXattr(abs, k, v);
    }
  }

  private async whiteout(parent: string[], name: string, e: TarReadEntry): Promise<void> {
    const rel = parent.join('/');
    if (name === OPAQUE_WHITEOUT) {
      await this.ensureParent(parent);
      this.opaque.push(rel);
      return;
    }
    const target = name.slice(WHITEOUT_PREFIX.length);
    if (target === '' || target === '.' || target === '..' || target.startsWith(WHITEOUT_PREFIX)) {
      // `.wh.`, `.wh..`, `.wh...` or AUFS metadata (`.wh..wh.plnk`): nothing valid to remove.
      this.skipped++;
      this.opts.onWarning?.(`${this.what}: ${e.path}: invalid whiteout ignored`);
      return;
    }
    if (!(await this.ensureParent(parent, this.opts.mode === 'overlay'))) return;
    const targetRel = rel === '' ? target : `${rel}/${target}`;
    const abs = join(this.root, targetRel);
    await this.replace(targetRel, abs);
    if (this.opts.mode === 'overlay') await mknod([abs, 'c', '0', '0']);
  }

  private async applyOpaque(rel: string): Promise<void> {
    const abs = join(this.root, rel);
    if (this.opts.mode === 'overlay') {
      await setXattr(abs, 'trusted.overlay.opaque', Buffer.from('y'));
      return;
    }
    // Everything below that this layer did not itself create came from lower layers.
    const names = await fsx.readdir(abs).catch(() => null);
    if (names === null) return; // Replaced by a later entry of this layer: nothing lower is left.
    for (const name of names) {
      const child = rel === '' ? name : `${rel}/${name}`;
      if (this.created.has(child)) {
        // A directory this layer created (or kept) may still hold lower entries below it.
        if (this.dirs.has(child)) await this.applyOpaque(child);
        continue;
      }
      await this.replace(child, join(this.root, child));
    }
  }
}

function mknod(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(args.length === 2 ? 'mkfifo' : 'mknod', args.length === 2 ? [args[0] as string] : args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(new OciError('E_OCI_IO', `mknod ${args[0] ?? ''}: ${err.trim()}`, { source: 'environment' })),
    );
  });
}
