import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobStore } from './blob-store.js';
import { LayerStore } from './layer-store.js';
import { writeLayerFromDir } from './layer-writer.js';
import { tempDir, writeTree } from './test-util.js';

describe('LayerStore', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => tmp.cleanup());

  async function sampleLayer() {
    const src = join(tmp.path, 'src');
    await writeTree(src, { 'etc/os-release': 'ID=test\n', 'usr/bin/': null });
    return writeLayerFromDir(src, { sourceDateEpoch: 1700000000, compression: 'gzip', store: new BlobStore(join(tmp.path, 'blobs')) });
  }

  test('extracts a layer once, keyed by diff_id, even for concurrent callers', async () => {
    const l = await sampleLayer();
    const store = new LayerStore({ root: join(tmp.path, 'cache') });
    const dirs = await Promise.all([1, 2, 3].map(() => store.ensureExtracted(l.path, l.diffId)));
    expect(new Set(dirs).size).toBe(1);
    expect(dirs[0]).toBe(join(tmp.path, 'cache', 'layers', 'sha256', l.diffId.slice(7)));
    expect(await readFile(join(dirs[0] as string, 'etc/os-release'), 'utf8')).toBe('ID=test\n');
    // No temp dirs or lock files are left beside it.
    expect(await readdir(join(tmp.path, 'cache', 'layers', 'sha256'))).toEqual([l.diffId.slice(7)]);
    expect((await readdir(join(tmp.path, 'cache', 'layers'))).filter((n) => n.startsWith('.tmp'))).toEqual([]);
    // A second call reuses the directory: a marker written into it survives.
    await writeFile(join(dirs[0] as string, 'marker'), '');
    expect(await store.ensureExtracted(l.path, l.diffId)).toBe(dirs[0]);
    expect(await readdir(dirs[0] as string)).toContain('marker');
  });

  test('refuses a blob whose content does not match the diff_id and leaves nothing behind', async () => {
    const l = await sampleLayer();
    const store = new LayerStore({ root: join(tmp.path, 'cache') });
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(store.ensureExtracted(l.path, wrong)).rejects.toThrow(/^extract layer sha256:000000000000: uncompressed content has diff_id sha256:/);
    expect(await store.has(wrong)).toBe(false);
    expect(await readdir(join(tmp.path, 'cache', 'layers'))).toEqual(['sha256']);
  });

  test('takes over a lock left by a dead process', async () => {
    const l = await sampleLayer();
    const store = new LayerStore({ root: join(tmp.path, 'cache'), lockTimeoutMs: 5000 });
    const dir = store.dirFor(l.diffId);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, '..'), { recursive: true });
    await writeFile(`${dir}.lock`, '999999999');
    expect(await store.ensureExtracted(l.path, l.diffId)).toBe(dir);
  });
});

test('a missing layer blob is named in the error', async () => {
  const tmp = await tempDir();
  try {
    const store = new LayerStore({ root: join(tmp.path, 'cache') });
    await expect(store.ensureExtracted(join(tmp.path, 'nope'), `sha256:${'1'.repeat(64)}`)).rejects.toThrow(
      `extract layer sha256:111111111111 from ${join(tmp.path, 'nope')}: no such file or directory`,
    );
  } finally {
    await tmp.cleanup();
  }
});
