// Keeping the step cache in bounds: usage figures for `imgbuild cache du`, and pruning by age,
// by total size or entirely for `imgbuild cache prune`. Removing an entry also removes its
// layer blob and extracted layer directory when nothing else refers to them: no remaining
// entry and no image in the cache's OCI layout (base images, bootstrap bases, built images).
// Only blobs of removed entries are candidates, so a build writing a layer right now, whose
// entry does not exist yet, never loses its blob. Images in the layout count only when
// tagged (pulled bases, bootstrap bases): untagged ones are staging copies of earlier
// outputs, which would otherwise pin every layer ever built.
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { LayerStore } from '../oci/layer-store.js';
import { OciLayout, REF_NAME } from '../oci/layout.js';
import { parseManifest } from '../oci/manifest.js';
import type { CacheEntry } from './entry.js';
import type { LocalStepCache } from './local.js';

export interface Usage {
  entries: number;
  /** Sum of the distinct layer blobs the entries hold. */
  layerBytes: number;
  /** Sum of the extracted layer directories of those layers that exist. */
  extractedBytes: number;
}

export async function cacheUsage(cache: LocalStepCache): Promise<Usage> {
  const entries = await cache.list();
  const layers = distinctLayers(entries);
  const store = new LayerStore({ root: cache.cacheDir });
  let extractedBytes = 0;
  for (const l of layers.values()) extractedBytes += await treeBytes(store.dirFor(l.diffId));
  return { entries: entries.length, layerBytes: sumSizes(layers), extractedBytes };
}

export interface PruneOptions {
  /** Entries not used for this long are removed. */
  olderThanMs?: number;
  /** Then the least recently used are removed until the layers fit. */
  maxBytes?: number;
  all?: boolean;
  now?: Date;
}

export interface PruneResult {
  removed: CacheEntry[];
  kept: number;
  blobsRemoved: number;
  /** Temp files and dirs left by builds that were killed while writing (see staleTemps). */
  tempsRemoved: number;
  bytesFreed: number;
}

/** A temp file or dir nobody has written to for this long belongs to a build that died. */
export const STALE_TEMP_MS = 10 * 60_000;

export async function pruneCache(cache: LocalStepCache, opts: PruneOptions): Promise<PruneResult> {
  const now = (opts.now ?? new Date()).getTime();
  const entries = (await cache.list()).sort((a, b) => Date.parse(a.lastUsed) - Date.parse(b.lastUsed));
  const remove = new Set<CacheEntry>();
  for (const e of entries) {
    if (opts.all === true) remove.add(e);
    else if (opts.olderThanMs !== undefined && now - Date.parse(e.lastUsed) > opts.olderThanMs) remove.add(e);
  }
  if (opts.maxBytes !== undefined) {
    // Least recently used first, until the distinct layers of what is left fit.
    for (const e of entries) {
      if (sumSizes(distinctLayers(entries.filter((x) => !remove.has(x)))) <= opts.maxBytes) break;
      remove.add(e);
    }
  }
  const kept = entries.filter((e) => !remove.has(e));
  for (const e of remove) await cache.remove(e.key);

  const refs = await layoutReferences(cache);
  for (const e of kept) {
    if (e.layer) {
      refs.blobs.add(e.layer.digest);
      refs.diffIds.add(e.layer.diffId);
    }
  }
  const store = new LayerStore({ root: cache.cacheDir });
  let blobsRemoved = 0;
  let bytesFreed = 0;
  for (const l of distinctLayers([...remove]).values()) {
    if (!refs.blobs.has(l.digest) && (await cache.blobs.has(l.digest))) {
      bytesFreed += await cache.blobs.size(l.digest);
      await rm(cache.blobs.path(l.digest), { force: true });
      blobsRemoved++;
    }
    if (!refs.diffIds.has(l.diffId)) {
      const dir = store.dirFor(l.diffId);
      bytesFreed += await treeBytes(dir);
      await rm(dir, { recursive: true, force: true });
    }
  }
  const temps = await staleTemps(cache, now);
  for (const t of temps) {
    bytesFreed += await treeBytes(t);
    await rm(t, { recursive: true, force: true });
  }
  return { removed: [...remove], kept: kept.length, blobsRemoved, tempsRemoved: temps.length, bytesFreed };
}

/**
 * `.tmp-*` blobs, entries and layer dirs that a build killed mid-write (SIGKILL, power loss)
 * left behind. They are never read as cache content (only renamed-into-place names are), so
 * they only take space; one still being written is recent, and is left alone.
 */
async function staleTemps(cache: LocalStepCache, now: number): Promise<string[]> {
  const dirs = [path.join(cache.cacheDir, 'blobs', 'sha256'), cache.dir, path.join(cache.cacheDir, 'layers')];
  const out: string[] = [];
  for (const dir of dirs) {
    for (const n of await readdir(dir).catch(() => [] as string[])) {
      if (!n.startsWith('.tmp-')) continue;
      const p = path.join(dir, n);
      const st = await lstat(p).catch(() => null);
      // ctime, not mtime: extraction sets mtimes to the layer's (old) times, and every write
      // or rename inside moves ctime, which nothing can set back.
      if (st !== null && now - st.ctimeMs > STALE_TEMP_MS) out.push(p);
    }
  }
  return out;
}

/** Blobs and diff_ids of every tagged image in the cache layout's index.json. */
async function layoutReferences(cache: LocalStepCache): Promise<{ blobs: Set<string>; diffIds: Set<string> }> {
  const blobs = new Set<string>();
  const diffIds = new Set<string>();
  const layout = await OciLayout.open(cache.cacheDir).catch(() => null);
  if (layout === null) return { blobs, diffIds };
  const index = await layout.readIndex().catch(() => null);
  const queue = (index?.manifests ?? []).filter((m) => m.annotations?.[REF_NAME] !== undefined);
  while (queue.length > 0) {
    const d = queue.pop();
    if (d === undefined || blobs.has(d.digest)) continue;
    blobs.add(d.digest);
    const bytes = await layout.blobs.read(d.digest).catch(() => null);
    if (bytes === null) continue;
    let parsed: ReturnType<typeof parseManifest>;
    try {
      parsed = parseManifest(bytes, d.mediaType || undefined, d.digest);
    } catch {
      continue;
    }
    if (parsed.kind === 'index') {
      queue.push(...parsed.index.manifests);
      continue;
    }
    blobs.add(parsed.manifest.config.digest);
    for (const l of parsed.manifest.layers) blobs.add(l.digest);
    const cfg = await layout.blobs.read(parsed.manifest.config.digest).catch(() => null);
    const ids = cfg === null ? [] : (JSON.parse(cfg.toString()) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
    if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') diffIds.add(id);
  }
  return { blobs, diffIds };
}

function distinctLayers(entries: readonly CacheEntry[]): Map<string, NonNullable<CacheEntry['layer']>> {
  const m = new Map<string, NonNullable<CacheEntry['layer']>>();
  for (const e of entries) if (e.layer) m.set(e.layer.digest, e.layer);
  return m;
}

function sumSizes(layers: Map<string, { size: number }>): number {
  let n = 0;
  for (const l of layers.values()) n += l.size;
  return n;
}

/** Bytes of regular files under dir (0 when it does not exist); hard links counted once. */
async function treeBytes(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p).catch(() => null);
    if (!st) return;
    if (st.isDirectory()) {
      for (const n of await readdir(p).catch(() => [] as string[])) await walk(path.join(p, n));
    } else if (st.isFile()) {
      const id = `${st.dev}:${st.ino}`;
      if (!seen.has(id)) {
        seen.add(id);
        total += st.size;
      }
    }
  };
  await walk(dir);
  return total;
}
