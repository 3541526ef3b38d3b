// The local store and its maintenance, on a real blob store in a temp dir.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LayerStore } from '../oci/layer-store.js';
import { writeLayerFromDir } from '../oci/layer-writer.js';
import { tempDir, writeTree } from '../oci/test-util.js';
import type { CacheEntry } from './entry.js';
import { FileMemo } from './file-memo.js';
import { LocalStepCache } from './local.js';
import { cacheUsage, pruneCache, STALE_TEMP_MS } from './prune.js';

let tmp: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await tempDir('imgbuild-cache-test-');
});
afterEach(async () => tmp.cleanup());

async function layerEntry(cache: LocalStepCache, key: string, content: string, lastUsed = new Date()): Promise<CacheEntry> {
  const tree = join(tmp.path, `tree-${key.slice(0, 4)}`);
  await writeTree(tree, { 'etc/file': content });
  const l = await writeLayerFromDir(tree, { sourceDateEpoch: 0, compression: 'gzip', store: cache.blobs });
  const e: CacheEntry = {
    version: 1,
    key,
    provisioner: 'shell',
    label: 'shell',
    layer: { mediaType: l.mediaType, digest: l.digest, size: l.size, diffId: l.diffId },
    history: { created_by: 'imgbuild shell: x' },
    createdAt: lastUsed.toISOString(),
    lastUsed: lastUsed.toISOString(),
  };
  await cache.put(e);
  return e;
}

const K = (c: string): string => c.repeat(64);

describe('LocalStepCache', () => {
  it('stores and finds an entry; leaves no temp files', async () => {
    const cache = new LocalStepCache(tmp.path);
    const e = await layerEntry(cache, K('a'), 'one');
    expect(await cache.get(K('a'))).toEqual(e);
    expect(await cache.get(K('b'))).toBeNull();
    expect((await readdir(cache.dir)).filter((n) => n.startsWith('.tmp'))).toEqual([]);
  });

  it('refuses an entry whose layer blob is not in the store', async () => {
    const cache = new LocalStepCache(tmp.path);
    const e = await layerEntry(cache, K('a'), 'one');
    await expect(cache.put({ ...e, key: K('c'), layer: { ...e.layer!, digest: `sha256:${K('9')}` } })).rejects.toThrow(/not in the blob store/);
  });

  it('treats a half-written entry or a missing blob as a miss', async () => {
    const cache = new LocalStepCache(tmp.path);
    await mkdir(cache.dir, { recursive: true });
    await writeFile(cache.entryPath(K('d')), '{"version":1,"key":"');
    expect(await cache.get(K('d'))).toBeNull();
    const e = await layerEntry(cache, K('e'), 'two');
    const { rm } = await import('node:fs/promises');
    await rm(cache.blobs.path(e.layer!.digest));
    expect(await cache.get(K('e'))).toBeNull();
  });

  it('touch updates last-used', async () => {
    const cache = new LocalStepCache(tmp.path);
    const e = await layerEntry(cache, K('a'), 'one', new Date(0));
    await cache.touch(e, new Date(5000));
    expect((await cache.get(K('a')))?.lastUsed).toBe(new Date(5000).toISOString());
  });
});

describe('pruneCache', () => {
  it('removes entries unused for longer than the limit, with their blobs and extracted dirs', async () => {
    const cache = new LocalStepCache(tmp.path);
    const old = await layerEntry(cache, K('a'), 'old', new Date(Date.now() - 10 * 86_400_000));
    const fresh = await layerEntry(cache, K('b'), 'fresh');
    const store = new LayerStore({ root: tmp.path });
    const dir = await store.ensureExtracted(cache.blobs.path(old.layer!.digest), old.layer!.diffId);
    const r = await pruneCache(cache, { olderThanMs: 7 * 86_400_000 });
    expect(r.removed.map((e) => e.key)).toEqual([K('a')]);
    expect(r.blobsRemoved).toBe(1);
    expect(await cache.blobs.has(old.layer!.digest)).toBe(false);
    expect(await readdir(dir).catch(() => null)).toBeNull();
    expect(await cache.get(K('b'))).toEqual(fresh);
  });

  it('keeps a blob another entry still uses', async () => {
    const cache = new LocalStepCache(tmp.path);
    const a = await layerEntry(cache, K('a'), 'same', new Date(0));
    await layerEntry(cache, K('b'), 'same');
    const r = await pruneCache(cache, { olderThanMs: 1000 });
    expect(r.removed).toHaveLength(1);
    expect(await cache.blobs.has(a.layer!.digest)).toBe(true);
  });

  it('--max-size removes least recently used first; --all removes everything', async () => {
    const cache = new LocalStepCache(tmp.path);
    await layerEntry(cache, K('a'), 'x'.repeat(10), new Date(1000));
    await layerEntry(cache, K('b'), 'y'.repeat(20), new Date(2000));
    const c = await layerEntry(cache, K('c'), 'z'.repeat(30), new Date(3000));
    const r = await pruneCache(cache, { maxBytes: c.layer!.size });
    expect(r.removed.map((e) => e.key).sort()).toEqual([K('a'), K('b')]);
    expect((await cacheUsage(cache)).entries).toBe(1);
    await pruneCache(cache, { all: true });
    expect(await cache.list()).toEqual([]);
  });

  it('removes temp files that killed builds left, once nobody has touched them for a while', async () => {
    const cache = new LocalStepCache(tmp.path);
    const kept = await layerEntry(cache, K('a'), 'x');
    const blobTmp = join(tmp.path, 'blobs', 'sha256', '.tmp-0123456789abcdef');
    const entryTmp = join(cache.dir, '.tmp-0123456789ab');
    const layerTmp = join(tmp.path, 'layers', '.tmp-bootstrap-1-2');
    await writeFile(blobTmp, 'half a layer');
    await writeFile(entryTmp, '{"ver');
    await mkdir(join(layerTmp, 'etc'), { recursive: true });
    const fresh = await pruneCache(cache, { olderThanMs: 86_400_000 });
    expect(fresh.tempsRemoved).toBe(0);
    expect(await readdir(join(tmp.path, 'blobs', 'sha256'))).toContain('.tmp-0123456789abcdef');
    const later = await pruneCache(cache, { olderThanMs: 86_400_000, now: new Date(Date.now() + STALE_TEMP_MS + 1000) });
    expect(later.tempsRemoved).toBe(3);
    expect((await readdir(join(tmp.path, 'blobs', 'sha256'))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect((await readdir(cache.dir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(await readdir(join(tmp.path, 'layers'))).not.toContain('.tmp-bootstrap-1-2');
    expect(await cache.get(kept.key)).not.toBeNull();
  });
});

describe('FileMemo', () => {
  it('returns the value only while the file is unchanged', async () => {
    const f = join(tmp.path, 'base.tar');
    await writeFile(f, 'one');
    const memo = new FileMemo(tmp.path, 'rootfs');
    await memo.set(f, { epoch: 1 }, 'sha256:x');
    expect(await memo.get(f, { epoch: 1 })).toBe('sha256:x');
    expect(await memo.get(f, { epoch: 2 })).toBeNull();
    await writeFile(f, 'two');
    expect(await memo.get(f, { epoch: 1 })).toBeNull();
    expect(await readFile(f, 'utf8')).toBe('two');
  });
});

describe('treeDigest', () => {
  it('matches a plain walk, sees new content under a restored mtime, ignores a touch', async () => {
    const { treeDigest, fileDigest } = await import('./tree-digest.js');
    const { utimes, stat } = await import('node:fs/promises');
    const { createHash } = await import('node:crypto');
    const root = join(tmp.path, 'ctx');
    await writeTree(root, { 'a.txt': 'one', 'sub/b.txt': 'two' });
    const cacheDir = join(tmp.path, 'cache');
    const d1 = await treeDigest(root, cacheDir);
    expect(await treeDigest(root, cacheDir)).toBe(d1);
    // The same digest as a plain, unmemoised walk of the same format.
    expect(await plainTreeDigest(root)).toBe(d1);
    const f = join(root, 'a.txt');
    const before = await stat(f);
    await utimes(f, new Date(), new Date(Date.now() + 5000));
    expect(await treeDigest(root, cacheDir)).toBe(d1);
    await writeFile(f, 'ONE');
    await utimes(f, before.atime, before.mtime);
    expect(await treeDigest(root, cacheDir)).not.toBe(d1);
    expect(await fileDigest(f, cacheDir)).toBe(createHash('sha256').update('ONE').digest('hex'));
  });
});

async function plainTreeDigest(root: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { lstat, readlink } = await import('node:fs/promises');
  const h = createHash('sha256');
  const walk = async (abs: string, rel: string): Promise<void> => {
    const st = await lstat(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) h.update(`${rel}\0${mode}\0l\0${await readlink(abs)}\n`);
    else if (st.isFile()) h.update(`${rel}\0${mode}\0f\0${createHash('sha256').update(await readFile(abs)).digest('hex')}\n`);
    else if (st.isDirectory()) {
      h.update(`${rel}\0${mode}\0d\n`);
      for (const n of (await readdir(abs)).sort()) await walk(join(abs, n), rel === '' ? n : `${rel}/${n}`);
    }
  };
  await walk(root, '');
  return h.digest('hex');
}
