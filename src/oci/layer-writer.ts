// Deterministic layer from a directory (a step's overlay upper dir, a COPY source...).
// The tar is a pure function of the tree's content and metadata that matters: entries sorted
// bytewise, mtimes clamped to SOURCE_DATE_EPOCH, numeric ids only, no atime/ctime, sorted
// xattrs minus overlay/selinux ones, hardlinks as link entries. Overlay whiteouts become
// AUFS-style `.wh.` entries, which is what the image-spec and every runtime understand.
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { minimatch } from 'minimatch';
import { BlobStore } from './blob-store.js';
import { LayerBlobSink, type LayerBlob } from './compress.js';
import { OciError, wrapFsError } from './errors.js';
import { defaultCacheDir } from './cache-dir.js';
import type { Compression } from './media-types.js';
import { encodeHeader, padding, TAR_END, type TarEntry } from './tar-header.js';
import { readTreeXattrs } from './xattr.js';

export interface WriteLayerOptions {
  sourceDateEpoch: number;
  /** Globs on the path relative to `dir` (dot files match); an excluded dir drops its subtree. */
  exclude?: string[];
  compression: Compression;
  level?: number;
  /** Translate overlayfs whiteouts and opaque dirs into `.wh.` entries. */
  overlayUpper?: boolean;
  /** Where the blob goes; default the shared cache's blob store. */
  store?: BlobStore;
  /** Read xattrs (needs getfattr); default true. Without them capabilities are lost. */
  xattrs?: boolean;
}

export type LayerResult = LayerBlob;

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** Dropped: overlay's own bookkeeping, and host-specific SELinux labels. */
function keepXattr(name: string): boolean {
  return !(name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.') || name === 'security.selinux');
}

interface Node {
  key: Buffer;
  rel: string;
  abs: string;
  st: Stats | null;
  entry: TarEntry;
}

export async function writeLayerFromDir(dirIn: string, opts: WriteLayerOptions): Promise<LayerResult> {
  // getfattr prints absolute paths; the walk must build the same strings to look them up.
  const dir = resolve(dirIn);
  const store = opts.store ?? new BlobStore(defaultCacheDir());
  // getfattr walks the tree in its own process while this one walks it too.
  const xattrsP = opts.xattrs === false ? Promise.resolve(new Map<string, Array<[string, Buffer]>>()) : readTreeXattrs(dir);
  xattrsP.catch(() => undefined); // Awaited below; a failure meanwhile is not unhandled.
  const walked = collect(dir, opts);
  const nodes = finishNodes(walked, await xattrsP, opts);
  const sink = await LayerBlobSink.create(store, {
    compression: opts.compression,
    ...(opts.level === undefined ? {} : { level: opts.level }),
  });
  try {
    await emitTar(nodes, sink);
    return await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

function collect(root: string, opts: WriteLayerOptions): Node[] {
  const epoch = Math.trunc(opts.sourceDateEpoch);
  const exclude = opts.exclude ?? [];
  const nodes: Node[] = [];
  const clamp = (st: Stats): number => Math.min(Math.trunc(st.mtimeMs / 1000), epoch);

  const walk = (relDir: string): void => {
    const absDir = relDir === '' ? root : join(root, relDir);
    let names: string[];
    try {
      names = readdirSync(absDir);
    } catch (e) {
      throw wrapFsError(`layer: read dir ${absDir}`, e);
    }
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      if (exclude.some((p) => minimatch(rel, p, { dot: true }))) continue;
      const abs = join(root, rel);
      let st: Stats;
      try {
        st = lstatSync(abs);
      } catch (e) {
        throw wrapFsError(`layer: stat ${abs}`, e);
      }
      if (opts.overlayUpper && name.startsWith(WHITEOUT_PREFIX)) {
        // A real file named .wh.x would be read back as a deletion: refuse, as umoci does.
        throw new OciError('E_OCI_LAYER', `layer: ${rel}: file names starting with ".wh." are reserved for whiteouts`);
      }
      const base = { uid: st.uid, gid: st.gid, mtime: clamp(st), size: 0 };
      const push = (entry: TarEntry, key = Buffer.from(rel, 'utf8'), stat: Stats | null = st): void => {
        nodes.push({ key, rel, abs, st: stat, entry });
      };
      if (st.isDirectory()) {
        push({ path: rel, type: 'dir', mode: st.mode, ...base });
        walk(rel);
      } else if (st.isFile()) {
        // Files with nlink > 1 become link entries after sorting (relinkInSortedOrder).
        push({ path: rel, type: 'file', mode: st.mode, ...base, size: st.size });
      } else if (st.isSymbolicLink()) {
        push({ path: rel, type: 'symlink', mode: st.mode, ...base, linkname: readlinkSync(abs) });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        if (opts.overlayUpper && st.isCharacterDevice() && st.rdev === 0) {
          const slash = rel.lastIndexOf('/');
          const wh = `${rel.slice(0, slash + 1)}${WHITEOUT_PREFIX}${rel.slice(slash + 1)}`;
          push({ path: wh, type: 'file', mode: 0o600, uid: 0, gid: 0, size: 0, mtime: base.mtime }, Buffer.from(wh, 'utf8'), null);
          continue;
        }
        const type = st.isCharacterDevice() ? 'char' : 'block';
        push({ path: rel, type, mode: st.mode, ...base, devmajor: major(st.rdev), devminor: minor(st.rdev) });
      } else if (st.isFIFO()) {
        push({ path: rel, type: 'fifo', mode: st.mode, ...base });
      }
      // Sockets are not representable in tar and are skipped, as tar(1) does.
    }
  };
  walk('');
  return nodes;
}

/** Attaches xattrs, adds opaque markers, sorts, and picks hardlink targets. */
function finishNodes(walked: Node[], xattrs: Map<string, Array<[string, Buffer]>>, opts: WriteLayerOptions): Node[] {
  const nodes: Node[] = [];
  for (const n of walked) {
    nodes.push(n);
    const all = n.st ? xattrs.get(n.abs) : undefined;
    if (!all) continue;
    if (opts.overlayUpper) refuseOverlayFeatures(n.rel, all);
    const kept = all.filter(([k]) => keepXattr(k));
    if (kept.length > 0) n.entry = { ...n.entry, xattrs: kept };
    if (opts.overlayUpper && n.entry.type === 'dir' && all.some(([k, v]) => isOpaqueXattr(k, v))) {
      // Keyed right after its directory, before any child, so an extractor applying the
      // opaque mark cannot remove children this same layer adds.
      nodes.push({
        key: Buffer.concat([n.key, Buffer.from([0x2f, 0])]),
        rel: n.rel,
        abs: n.abs,
        st: null,
        entry: { path: `${n.rel}/${OPAQUE_WHITEOUT}`, type: 'file', mode: 0o600, uid: 0, gid: 0, size: 0, mtime: n.entry.mtime },
      });
    }
  }
  nodes.sort((a, b) => Buffer.compare(a.key, b.key));
  return relinkInSortedOrder(nodes);
}

/** Within a group of hardlinked files the first path (bytewise) carries the content. */
function relinkInSortedOrder(nodes: Node[]): Node[] {
  const groups = new Map<string, Node[]>();
  for (const n of nodes) {
    if (!n.st || !(n.entry.type === 'file' || n.entry.type === 'hardlink') || n.st.nlink < 2) continue;
    const id = `${n.st.dev}:${n.st.ino}`;
    const g = groups.get(id);
    if (g) g.push(n);
    else groups.set(id, [n]);
  }
  for (const g of groups.values()) {
    const [first, ...rest] = g;
    if (!first || !first.st) continue;
    first.entry = { ...first.entry, type: 'file', size: first.st.size };
    delete first.entry.linkname;
    for (const n of rest) n.entry = { ...n.entry, type: 'hardlink', size: 0, linkname: first.rel };
  }
  return nodes;
}

/**
 * With redirect_dir a renamed directory is a redirect xattr, and with metacopy a file's data
 * stays in the lower layer: an upper dir written under either is not a self-contained diff.
 */
function refuseOverlayFeatures(rel: string, xa: Array<[string, Buffer]> | undefined): void {
  for (const [k] of xa ?? []) {
    const feature = k.endsWith('overlay.redirect') ? 'redirect_dir' : k.endsWith('overlay.metacopy') ? 'metacopy' : null;
    if (feature && (k.startsWith('trusted.') || k.startsWith('user.'))) {
      throw new OciError('E_OCI_LAYER', `layer: ${rel}: overlay ${feature} in use (${k}); mount the overlay with ${feature}=off`);
    }
  }
}

function isOpaqueXattr(name: string, value: Buffer): boolean {
  return (name === 'trusted.overlay.opaque' || name === 'user.overlay.opaque') && value.toString() === 'y';
}

function major(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}
function minor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & ~0xff & 0xfffff);
}

const STAGE = 256 << 10;

/** Writes headers and file bodies through a 1 MiB staging buffer the sink may not keep. */
async function emitTar(nodes: Node[], sink: LayerBlobSink): Promise<void> {
  const buf = Buffer.allocUnsafe(STAGE);
  let used = 0;
  const flush = async (): Promise<void> => {
    if (used > 0) await sink.write(buf.subarray(0, used));
    used = 0;
    // Reading and hashing never block, so without a turn of the event loop here finished
    // deflate chunks would wait for their callbacks while this loop keeps producing.
    await new Promise<void>((r) => setImmediate(r));
  };
  const put = async (data: Buffer): Promise<void> => {
    if (used + data.length > STAGE) await flush();
    if (data.length > STAGE) return sink.write(data);
    data.copy(buf, used);
    used += data.length;
  };
  for (const n of nodes) {
    await put(encodeHeader(n.entry));
    if (n.entry.type !== 'file' || n.entry.size === 0) continue;
    let fd: number;
    try {
      fd = openSync(n.abs, 'r');
    } catch (e) {
      throw wrapFsError(`layer: open ${n.abs}`, e);
    }
    try {
      let left = n.entry.size;
      while (left > 0) {
        if (used === STAGE) await flush();
        const want = Math.min(left, STAGE - used);
        const got = readSync(fd, buf, used, want, null);
        if (got === 0) throw new OciError('E_OCI_LAYER', `layer: ${n.rel}: file shrank while being read`);
        used += got;
        left -= got;
      }
      if (readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0) {
        throw new OciError('E_OCI_LAYER', `layer: ${n.rel}: file grew while being read`);
      }
    } finally {
      closeSync(fd);
    }
    await put(padding(n.entry.size));
  }
  await put(TAR_END);
  await flush();
}
